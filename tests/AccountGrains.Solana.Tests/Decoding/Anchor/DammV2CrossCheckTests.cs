using System.Numerics;
using System.Text.Json.Nodes;

using AccountGrains.Solana.Decoding;
using AccountGrains.Solana.Decoding.Anchor;

namespace AccountGrains.Solana.Tests.Decoding.Anchor;

/// <summary>
/// Decodes Meteora DAMM v2 accounts that @coral-xyz/anchor encoded from the repository's IDL and compares every field
/// with anchor's own decode of the same bytes, and the derived values with what @meteora-ag/cp-amm-sdk computes.
/// </summary>
public sealed class DammV2CrossCheckTests
{
    private const int VectorsPerAccount = 150;
    private const int PoolSeed = 1001;
    private const int ConfigSeed = 1002;

    // Our values are the exact value rounded to 20 significant digits: within half a unit of the 20th digit.
    private static readonly BigInteger HalfUlpInverse = BigInteger.Pow(10, 19) * 2;

    // Decimal.js rounds twice (the square, the division) at 20 digits: within 1e-18 of the exact value relatively.
    private static readonly BigInteger SdkPriceInverse = BigInteger.Pow(10, 18);

    // The SDK scales by the double 10 ** (a - b), which is off by up to ~2e-16 relatively for some exponents (10 ** -5).
    private static readonly BigInteger SdkAdjustedInverse = BigInteger.Pow(10, 15);

    private static readonly Lazy<AnchorIdl> Idl = new(() => AnchorIdl.Load(AnchorVectorScript.DammIdlPath));

    public static TheoryData<string, string, int> Accounts => new()
    {
        { "Pool", "pool", PoolSeed },
        { "Config", "config", ConfigSeed },
        { "Position", "position", 1003 },
        { "Vesting", "vesting", 1004 },
        { "TokenBadge", "token_badge", 1005 },
        { "Operator", "operator", 1006 },
        { "PodAlignedFeeTimeScheduler", "pod_aligned_fee_time_scheduler", 1007 },
        { "PodAlignedFeeRateLimiter", "pod_aligned_fee_rate_limiter", 1008 },
        { "PodAlignedFeeMarketCapScheduler", "pod_aligned_fee_market_cap_scheduler", 1009 },
    };

    [Fact]
    public void The_repository_idl_is_the_reference_copy_byte_for_byte()
    {
        string reference = Path.Combine(Path.GetDirectoryName(RepositoryRoot.Find())!, "shared", "reference", "meteora-damm-v2", "idl.json");
        if (!File.Exists(reference))
        {
            // Outside the workspace layout there is no reference copy; the SDK comparison in damm-vectors.mjs still holds.
            Idl.Value.Address.Should().Be(WellKnownPrograms.MeteoraDammV2);
            return;
        }

        File.ReadAllBytes(AnchorVectorScript.DammIdlPath).Should().Equal(File.ReadAllBytes(reference));
    }

    [Theory]
    [MemberData(nameof(Accounts))]
    public async Task Every_field_matches_what_anchor_decodes_from_the_same_bytes(string account, string accountType, int seed)
    {
        IReadOnlyList<AnchorVector> vectors = await AnchorVectorScript.DammAsync(seed, VectorsPerAccount, account);
        var registry = new AccountDecoderRegistry([new AnchorIdlDecoder(Idl.Value, AnchorEnrichers.For(WellKnownPrograms.MeteoraDammV2, null))]);
        var differences = new List<string>();
        var random = new Random(seed);

        vectors.Should().HaveCount(VectorsPerAccount).And.OnlyContain(v => v.Name == account);
        foreach (AnchorVector vector in vectors)
        {
            // Accounts are often allocated larger than their struct; every third vector gets trailing bytes.
            byte[] data = vector.Index % 3 == 0 ? [.. vector.Data, .. RandomBytes(random, random.Next(1, 64))] : vector.Data;
            DecodedAccountData result = registry.Decode(WellKnownPrograms.MeteoraDammV2, data);
            string where = $"{account} #{vector.Index} (seed {seed})";
            if (result.Error is not null || result.AccountType != accountType || result.Program != "cp_amm")
            {
                differences.Add($"{where}: decoded by {result.Program} as {result.AccountType}, error {result.Error}");
                continue;
            }

            JsonObject actual = JsonNode.Parse(result.FieldsJson)!.AsObject();
            actual.Remove("derived");
            var found = new List<string>();
            JsonCompare.Collect(vector.Expected, actual, string.Empty, found);
            differences.AddRange(found.Select(d => $"{where}: {d}"));
        }

        if (differences.Count > 0)
        {
            Assert.Fail($"{differences.Count} differences from anchor; the first ten:\n{string.Join('\n', differences.Take(10))}");
        }
    }

    [Fact]
    public async Task Pool_price_fees_and_shares_match_the_cp_amm_sdk()
    {
        IReadOnlyList<AnchorVector> vectors = await AnchorVectorScript.DammAsync(PoolSeed, VectorsPerAccount, "Pool");
        var differences = new List<string>();

        foreach (AnchorVector vector in vectors)
        {
            JsonObject sdk = vector.Sdk!;
            var mints = new FakeMints();
            if (sdk["decimals"] is JsonObject decimals)
            {
                mints.Set(Pubkey.Parse(vector.Expected["token_a_mint"]!.GetValue<string>()), decimals["a"]!.GetValue<byte>());
                mints.Set(Pubkey.Parse(vector.Expected["token_b_mint"]!.GetValue<string>()), decimals["b"]!.GetValue<byte>());
            }

            JsonObject derived = DecodeDerived(vector, mints);
            string where = $"Pool #{vector.Index}";
            BigInteger sqrtPrice = BigInteger.Parse(vector.Expected["sqrt_price"]!.GetValue<string>());
            var exactPrice = new Rational(sqrtPrice * sqrtPrice, BigInteger.One << 128);

            CheckRounded(derived, "price", exactPrice, where, differences);
            CheckClose(derived, "price", sdk["price"]!.GetValue<string>(), SdkPriceInverse, where, differences);
            if (sdk["decimals"] is JsonObject known)
            {
                int shift = known["a"]!.GetValue<int>() - known["b"]!.GetValue<int>();
                Rational exactAdjusted = shift >= 0
                    ? exactPrice with { Numerator = exactPrice.Numerator * BigInteger.Pow(10, shift) }
                    : exactPrice with { Denominator = exactPrice.Denominator * BigInteger.Pow(10, -shift) };
                CheckRounded(derived, "price_adjusted", exactAdjusted, where, differences);
                CheckClose(derived, "price_adjusted", sdk["price_adjusted"]!.GetValue<string>(), SdkAdjustedInverse, where, differences);
                Expect(derived, "token_a_decimals", known["a"], where, differences);
                Expect(derived, "token_b_decimals", known["b"], where, differences);
            }
            else
            {
                foreach (string name in new[] { "price_adjusted", "token_a_decimals", "token_b_decimals" })
                {
                    if (derived.ContainsKey(name))
                    {
                        differences.Add($"{where}: {name} is written although the mint decimals are unknown");
                    }
                }
            }

            CheckFees(derived, sdk, where, differences);
            var dynamicFee = Rational.Of(sdk["dynamic_fee_numerator"]!.GetValue<string>(), 100, BigInteger.Parse(sdk["fee_denominator"]!.GetValue<string>()));
            CheckRounded(derived, "dynamic_fee_percent", dynamicFee, where, differences);
        }

        if (differences.Count > 0)
        {
            Assert.Fail($"{differences.Count} differences from the SDK; the first ten:\n{string.Join('\n', differences.Take(10))}");
        }
    }

    [Fact]
    public async Task Config_fees_and_shares_match_the_cp_amm_sdk()
    {
        IReadOnlyList<AnchorVector> vectors = await AnchorVectorScript.DammAsync(ConfigSeed, VectorsPerAccount, "Config");
        var differences = new List<string>();

        foreach (AnchorVector vector in vectors)
        {
            JsonObject derived = DecodeDerived(vector, null);
            CheckFees(derived, vector.Sdk!, $"Config #{vector.Index}", differences);
            derived.Select(p => p.Key).Should().BeEquivalentTo(
                "base_fee", "base_fee_percent", "min_base_fee_percent", "protocol_fee_share_percent",
                "referral_fee_share_percent", "compounding_fee_share_percent", "lp_fee_share_percent");
        }

        if (differences.Count > 0)
        {
            Assert.Fail($"{differences.Count} differences from the SDK; the first ten:\n{string.Join('\n', differences.Take(10))}");
        }
    }

    [Fact]
    public async Task Vectors_reach_every_base_fee_mode_bad_parameters_edge_prices_and_unknown_decimals()
    {
        IReadOnlyList<AnchorVector> pools = await AnchorVectorScript.DammAsync(PoolSeed, VectorsPerAccount, "Pool");
        IReadOnlyList<AnchorVector> configs = await AnchorVectorScript.DammAsync(ConfigSeed, VectorsPerAccount, "Config");
        IEnumerable<JsonObject> sdk = pools.Concat(configs).Select(v => v.Sdk!);

        sdk.Select(s => s["base_fee"]?["mode"]?.GetValue<string>()).Distinct().Should().BeEquivalentTo(
            new string?[] { null, "FeeTimeSchedulerLinear", "FeeTimeSchedulerExponential", "RateLimiter", "FeeMarketCapSchedulerLinear", "FeeMarketCapSchedulerExponential" });
        sdk.Should().Contain(s => s["base_fee"] != null && s["min_fee_numerator"] == null, "some parameters are ones the program rejects");
        sdk.Should().Contain(s => s["fee_split"] == null, "some protocol fee percents are over 100");
        pools.Should().Contain(v => v.Sdk!["decimals"] == null).And.Contain(v => v.Sdk!["decimals"] != null);
        pools.Should().Contain(v => v.Expected["sqrt_price"]!.GetValue<string>() == "0");
        pools.Should().Contain(v => v.Expected["sqrt_price"]!.GetValue<string>() == "340282366920938463463374607431768211455");
        pools.Should().Contain(v => v.Sdk!["dynamic_fee_numerator"]!.GetValue<string>() != "0");
    }

    private static JsonObject DecodeDerived(AnchorVector vector, IMintDecimalsLookup? mints)
    {
        var decoder = new AnchorIdlDecoder(Idl.Value, AnchorEnrichers.For(WellKnownPrograms.MeteoraDammV2, mints));
        DecodedAccountData result = new AccountDecoderRegistry([decoder]).Decode(WellKnownPrograms.MeteoraDammV2, vector.Data);
        result.Error.Should().BeNull();
        return JsonNode.Parse(result.FieldsJson)!["derived"]!.AsObject();
    }

    private static void CheckFees(JsonObject derived, JsonObject sdk, string where, List<string> differences)
    {
        var denominator = BigInteger.Parse(sdk["fee_denominator"]!.GetValue<string>());
        Expect(derived, "base_fee", sdk["base_fee"], where, differences);
        if (sdk["base_fee"] is JsonObject baseFee)
        {
            CheckRounded(derived, "base_fee_percent", Rational.Of(baseFee["cliff_fee_numerator"]!.GetValue<string>(), 100, denominator), where, differences);
        }
        else
        {
            Expect(derived, "base_fee_percent", null, where, differences);
        }

        if (sdk["min_fee_numerator"] is JsonValue min)
        {
            CheckRounded(derived, "min_base_fee_percent", Rational.Of(min.GetValue<string>(), 100, denominator), where, differences);
        }
        else
        {
            Expect(derived, "min_base_fee_percent", null, where, differences);
        }

        if (sdk["fee_split"] is JsonObject split)
        {
            var amount = BigInteger.Parse(split["fee_amount"]!.GetValue<string>());
            foreach ((string field, string part) in new[] { ("protocol_fee_share_percent", "protocol"), ("referral_fee_share_percent", "referral"), ("compounding_fee_share_percent", "compounding"), ("lp_fee_share_percent", "claiming") })
            {
                var exact = Rational.Of(split[part]!.GetValue<string>(), 100, amount);
                if (derived[field] is not JsonValue value || !Rational.Parse(value.GetValue<string>()).EqualsExactly(exact))
                {
                    differences.Add($"{where}: {field} expected exactly {exact} (the SDK's splitFees) but was {JsonCompare.Show(derived[field])}");
                }
            }
        }
    }

    private static void Expect(JsonObject derived, string name, JsonNode? expected, string where, List<string> differences)
    {
        if (!derived.ContainsKey(name) || !JsonNode.DeepEquals(derived[name], expected))
        {
            differences.Add($"{where}: {name} expected {JsonCompare.Show(expected)} but was {(derived.ContainsKey(name) ? JsonCompare.Show(derived[name]) : "(missing)")}");
        }
    }

    /// <summary>The value is the exact one rounded to 20 significant digits (never more digits than that).</summary>
    private static void CheckRounded(JsonObject derived, string name, Rational exact, string where, List<string> differences)
    {
        if (derived[name] is not JsonValue value)
        {
            differences.Add($"{where}: {name} expected about {exact} but was {JsonCompare.Show(derived[name])}");
            return;
        }

        string text = value.GetValue<string>();
        Rational ours = Rational.Parse(text);
        int significant = text.TrimStart('-').Replace(".", string.Empty, StringComparison.Ordinal).TrimStart('0').TrimEnd('0').Length;
        bool close = exact.Numerator.IsZero ? ours.Numerator.IsZero : ours.IsWithin(exact, HalfUlpInverse);
        if (!close || significant > 20)
        {
            differences.Add($"{where}: {name} {text} is not {exact} rounded to 20 significant digits");
        }
    }

    private static void CheckClose(JsonObject derived, string name, string sdkText, BigInteger inverseTolerance, string where, List<string> differences)
    {
        Rational sdk = Rational.Parse(sdkText);
        Rational ours = Rational.Parse(derived[name]!.GetValue<string>());
        bool close = sdk.Numerator.IsZero ? ours.Numerator.IsZero : ours.IsWithin(sdk, inverseTolerance);
        if (!close)
        {
            differences.Add($"{where}: {name} {derived[name]} differs from the SDK's {sdkText} by more than 1/{inverseTolerance}");
        }
    }

    private static byte[] RandomBytes(Random random, int length)
    {
        var bytes = new byte[length];
        random.NextBytes(bytes);
        return bytes;
    }
}
