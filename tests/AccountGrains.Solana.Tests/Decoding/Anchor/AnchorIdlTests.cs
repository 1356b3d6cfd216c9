using System.Text.Json.Nodes;

using AccountGrains.Solana.Decoding.Anchor;

namespace AccountGrains.Solana.Tests.Decoding.Anchor;

public sealed class AnchorIdlTests
{
    private const string Address = "Vote111111111111111111111111111111111111111";

    [Fact]
    public void The_damm_v2_idl_loads_with_its_program_id_name_accounts_and_constants()
    {
        AnchorIdl idl = AnchorIdl.Load(AnchorVectorScript.DammIdlPath);

        idl.Address.Should().Be(WellKnownPrograms.MeteoraDammV2);
        idl.Name.Should().Be("cp_amm");
        idl.Version.Should().Be("0.2.0");
        idl.Source.Should().Be(AnchorVectorScript.DammIdlPath);
        idl.Accounts.Select(a => a.AccountType).Should().Equal(
            "config", "operator", "pod_aligned_fee_market_cap_scheduler", "pod_aligned_fee_rate_limiter",
            "pod_aligned_fee_time_scheduler", "pool", "position", "token_badge", "vesting");
        idl.Accounts.Single(a => a.Name == "Pool").Discriminator.Should().Equal(241, 154, 109, 4, 17, 177, 109, 188);
        idl.TryGetConstant("FEE_DENOMINATOR", out AnchorIdlConstant? denominator).Should().BeTrue();
        denominator!.Should().Be(new AnchorIdlConstant("FEE_DENOMINATOR", "u64", "1000000000"));
    }

    [Fact]
    public void Fixed_fields_are_located_through_nested_structs()
    {
        AnchorIdl idl = AnchorIdl.Load(AnchorVectorScript.DammIdlPath);

        // Pool: PoolFeesStruct is BaseFeeStruct 40 + 8 bytes of percents and padding + DynamicFeeStruct 96 + init_sqrt_price 16
        // = 160; five pubkeys and padding_0 take 192 more; liquidity, padding_1, two u64, padding_2, sqrt_min_price and
        // sqrt_max_price 96 more, so sqrt_price is at 448. reward_infos close the 1104 bytes with 2 × RewardInfo of 192.
        idl.GetFixedField("Pool", "pool_fees.base_fee.base_fee_info.data").Should().Be(new AnchorFieldLayout(0, 32, "[u8; 32]"));
        idl.GetFixedField("Pool", "pool_fees.protocol_fee_percent").Should().Be(new AnchorFieldLayout(40, 1, "u8"));
        idl.GetFixedField("Pool", "token_a_mint").Should().Be(new AnchorFieldLayout(160, 32, "pubkey"));
        idl.GetFixedField("Pool", "sqrt_price").Should().Be(new AnchorFieldLayout(448, 16, "u128"));
        idl.GetFixedField("Pool", "reward_infos").Should().Be(new AnchorFieldLayout(1104 - 384, 384, "[RewardInfo; 2]"));
        idl.GetFixedField("PodAlignedFeeTimeScheduler", "base_fee_mode").Offset.Should().Be(8);
    }

    [Fact]
    public void A_field_after_one_of_varying_size_has_no_fixed_offset()
    {
        AnchorIdl idl = AnchorIdl.Load(AnchorVectorScript.AllTypesIdlPath);

        // bool, u8, i8 (3) + u16, i16 (4) + u32, i32, f32 (12) + u64, i64, f64 (24) + u128, i128 (32) + u256, i256 (64)
        idl.GetFixedField("Everything", "blob").Should().Be(new AnchorFieldLayout(139, null, "bytes"));
        FluentActions.Invoking(() => idl.GetFixedField("Everything", "label"))
            .Should().Throw<AnchorIdlException>().WithMessage("*Everything.blob (bytes) comes first and has no fixed size*");
        FluentActions.Invoking(() => idl.GetFixedField("Everything", "no_such_field"))
            .Should().Throw<AnchorIdlException>().WithMessage("*type 'Everything' has no field 'no_such_field'*");
        FluentActions.Invoking(() => idl.GetFixedField("Everything", "a_u8.deeper"))
            .Should().Throw<AnchorIdlException>().WithMessage("*a field of type u8 has no fields to look into*");
    }

    [Theory]
    [InlineData("Pool", "pool")]
    [InlineData("TokenBadge", "token_badge")]
    [InlineData("PodAlignedFeeRateLimiter", "pod_aligned_fee_rate_limiter")]
    [InlineData("HTTPServer", "http_server")]
    [InlineData("Vault2Config", "vault2_config")]
    [InlineData("already_snake", "already_snake")]
    public void Account_types_are_the_idl_names_in_snake_case(string name, string expected)
    {
        AnchorIdlParser.ToSnakeCase(name).Should().Be(expected);
    }

    [Fact]
    public void A_missing_file_is_reported_with_its_path()
    {
        string path = Path.Combine(Path.GetTempPath(), $"no-such-idl-{Guid.NewGuid():N}.json");

        FluentActions.Invoking(() => AnchorIdl.Load(path))
            .Should().Throw<AnchorIdlException>().WithMessage($"cannot read Anchor IDL '{path}'*");
    }

    [Fact]
    public void An_error_in_a_file_names_the_file()
    {
        string path = Path.Combine(Path.GetTempPath(), $"bad-idl-{Guid.NewGuid():N}.json");
        File.WriteAllText(path, "{ not json");
        try
        {
            FluentActions.Invoking(() => AnchorIdl.Load(path))
                .Should().Throw<AnchorIdlException>().WithMessage($"Anchor IDL '{path}' is not valid JSON*");
        }
        finally
        {
            File.Delete(path);
        }
    }

    public static TheoryData<string, string> BrokenIdls => new()
    {
        { """[1, 2]""", "Anchor IDL: the root is a JSON array; an Anchor IDL is a JSON object" },
        { """{"metadata": {"name": "x"}, "accounts": []}""", "Anchor IDL: the root has no \"address\" string; an Anchor 0.30+ IDL has \"address\"*" },
        { """{"address": "0OIl", "metadata": {"name": "x"}}""", "Anchor IDL: \"address\" is not a program id: pubkey '0OIl' is not valid base58*" },
        { """{"address": "A", "metadata": {}}""".Replace("\"A\"", $"\"{Address}\"", StringComparison.Ordinal), "Anchor IDL: \"metadata\" has no \"name\" string*" },
        { Idl("[]", "[]"), "Anchor IDL: the root lists no accounts*" },
        { Idl("""[{"name": "A"}]""", """[{"name": "A", "type": {"kind": "struct"}}]"""), "Anchor IDL: accounts[0] 'A' has no \"discriminator\"; this looks like a pre-0.30 Anchor IDL*" },
        { Idl("""[{"name": "A", "discriminator": [1, 256]}]""", "[]"), "Anchor IDL: accounts[0] 'A' discriminator has 256 at position 1; every entry is a byte from 0 to 255" },
        { Idl("""[{"name": "A", "discriminator": [1, 2]}]""", "[]"), "Anchor IDL: accounts[0] 'A' has no type definition: \"types\" has no entry named 'A'" },
        { Idl("""[{"name": "A", "discriminator": [1, 2]}, {"name": "B", "discriminator": [1, 2, 3]}]""", """[{"name": "A", "type": {"kind": "struct"}}, {"name": "B", "type": {"kind": "struct"}}]"""), "*accounts[1] 'B' has a discriminator that equals or begins like the one of 'A'*" },
        { Idl(One, """[{"name": "A", "type": {"kind": "struct", "fields": [{"name": "x", "type": "u512"}]}}]"""), "Anchor IDL: types[0] 'A' field 'x' has the unknown type 'u512'" },
        { Idl(One, """[{"name": "A", "type": {"kind": "struct", "fields": [{"name": "x", "type": "publicKey"}]}}]"""), "*uses \"publicKey\", the pre-0.30 name of \"pubkey\"*" },
        { Idl(One, """[{"name": "A", "type": {"kind": "struct", "fields": [{"name": "x", "type": {"defined": {"name": "Missing"}}}]}}]"""), "Anchor IDL: types[0] 'A' field 'x' refers to the type 'Missing', which \"types\" does not define" },
        { Idl(One, """[{"name": "A", "type": {"kind": "struct", "fields": [{"name": "x", "type": "u8"}, {"name": "x", "type": "u16"}]}}]"""), "Anchor IDL: types[0] 'A' fields[1] repeats the field name 'x'" },
        { Idl(One, """[{"name": "A", "type": {"kind": "union"}}]"""), "Anchor IDL: types[0] 'A' has kind 'union'; the kinds are \"struct\", \"enum\" and \"type\"" },
        { Idl(One, """[{"name": "A", "type": {"kind": "struct", "fields": [{"name": "x", "type": {"array": ["u8", -1]}}]}}]"""), "*types[0] 'A' field 'x' has array length -1*" },
        { Idl(One, """[{"name": "A", "type": {"kind": "enum", "variants": []}}]"""), "*account 'A': its type (types[0] 'A') is an enum; an account is decoded as a struct with named fields" },
        { Idl(One, """[{"name": "A", "type": {"kind": "struct", "fields": [{"name": "b", "type": {"defined": {"name": "B"}}}]}}, {"name": "B", "type": {"kind": "struct", "fields": [{"name": "a", "type": {"array": [{"defined": {"name": "A"}}, 1]}}]}}]"""), "*contains itself (A → B → A) with no option, vec or enum in between, so its size is infinite" },
        { Idl(One, """[{"name": "A", "generics": [{"kind": "type", "name": "T"}], "type": {"kind": "struct", "fields": [{"name": "x", "type": {"generic": "T"}}]}}]"""), "*types[0] 'A' (used by account 'A') has generic parameters, which this decoder does not support" },
        { Idl(One, """[{"name": "A", "serialization": {"custom": "x"}, "type": {"kind": "struct"}}]"""), "*(used by account 'A') has a custom serialization*" },
        { Idl(One, """[{"name": "A", "type": {"kind": "struct", "fields": [{"name": "x", "type": {"coption": "string"}}]}}]"""), "*field 'x' is COption<string>, whose value has no fixed size*" },
    };

    [Theory]
    [MemberData(nameof(BrokenIdls))]
    public void A_broken_idl_is_rejected_with_a_message_naming_the_entry_and_the_problem(string json, string message)
    {
        FluentActions.Invoking(() => AnchorIdl.Parse(json)).Should().Throw<AnchorIdlException>().WithMessage(message);
    }

    [Fact]
    public void Idl_errors_are_format_exceptions_so_configuration_validation_reports_them()
    {
        FluentActions.Invoking(() => AnchorIdl.Parse("[]")).Should().Throw<FormatException>();
        FluentActions.Invoking(() => AnchorIdl.Load("/no/such/idl.json")).Should().Throw<FormatException>()
            .WithInnerException<IOException>();
    }

    [Fact]
    public void Unused_types_with_generics_do_not_stop_an_idl_from_loading()
    {
        string json = Idl(One, """[{"name": "A", "type": {"kind": "struct", "fields": [{"name": "x", "type": "u8"}]}}, {"name": "G", "generics": [{"kind": "type", "name": "T"}], "type": {"kind": "struct", "fields": [{"name": "x", "type": {"generic": "T"}}]}}]""");

        AnchorIdl.Parse(json).Accounts.Should().ContainSingle(a => a.Name == "A");
    }

    [Fact]
    public void The_damm_idl_text_parses_the_same_as_the_file()
    {
        string json = File.ReadAllText(AnchorVectorScript.DammIdlPath);

        AnchorIdl idl = AnchorIdl.Parse(json);

        idl.Source.Should().BeNull();
        idl.Accounts.Should().HaveCount(JsonNode.Parse(json)!["accounts"]!.AsArray().Count);
    }

    private const string One = """[{"name": "A", "discriminator": [1, 2, 3, 4, 5, 6, 7, 8]}]""";

    private static string Idl(string accounts, string types)
    {
        return $$"""{"address": "{{Address}}", "metadata": {"name": "test"}, "accounts": {{accounts}}, "types": {{types}}}""";
    }
}
