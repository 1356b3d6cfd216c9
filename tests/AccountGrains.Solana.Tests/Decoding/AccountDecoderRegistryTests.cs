using System.Text;

using AccountGrains.Solana.Decoding;
using AccountGrains.Solana.Tests.TestSupport;

namespace AccountGrains.Solana.Tests.Decoding;

public sealed class AccountDecoderRegistryTests
{
    private static readonly Pubkey FakeProgram = WellKnownPrograms.MeteoraDammV2;

    [Fact]
    public void Default_registry_knows_the_system_token_and_token_2022_programs_only()
    {
        var registry = AccountDecoderRegistry.CreateDefault();

        registry.TryGetDecoder(WellKnownPrograms.System, out IAccountDecoder? system).Should().BeTrue();
        system.Should().BeOfType<SystemProgramDecoder>();
        registry.TryGetDecoder(WellKnownPrograms.SplToken, out IAccountDecoder? token).Should().BeTrue();
        token.Should().BeOfType<SplTokenDecoder>();
        registry.TryGetDecoder(WellKnownPrograms.Token2022, out IAccountDecoder? token2022).Should().BeTrue();
        token2022.Should().BeOfType<AccountGrains.Solana.Decoding.Token2022.Token2022Decoder>();
        registry.TryGetDecoder(WellKnownPrograms.AssociatedToken, out IAccountDecoder? none).Should().BeFalse();
        none.Should().BeNull();
    }

    [Fact]
    public void Decoded_account_carries_program_name_type_and_fields()
    {
        var registry = AccountDecoderRegistry.CreateDefault();

        DecodedAccountData result = registry.Decode(WellKnownPrograms.System, []);

        result.Program.Should().Be("system");
        result.AccountType.Should().Be("system_account");
        Encoding.UTF8.GetString(result.FieldsJson).Should().Be("{}");
        result.Error.Should().BeNull();
        result.IsDecoded.Should().BeTrue();
    }

    [Fact]
    public void Unknown_owner_is_reported_by_its_base58_id()
    {
        var registry = AccountDecoderRegistry.CreateDefault();
        string owner = WellKnownPrograms.AssociatedToken.ToString();

        DecodedAccountData result = registry.Decode(WellKnownPrograms.AssociatedToken, [1, 2, 3]);

        result.Program.Should().Be(owner);
        result.AccountType.Should().Be("unknown");
        Encoding.UTF8.GetString(result.FieldsJson).Should().Be("{}");
        result.Error.Should().Be($"no decoder for owner program {owner}");
        result.FailureReason.Should().Be(DecodeFailure.NoDecoder);
        result.IsDecoded.Should().BeFalse();
    }

    [Fact]
    public void Decode_error_is_prefixed_with_the_program_name()
    {
        var registry = AccountDecoderRegistry.CreateDefault();

        DecodedAccountData result = registry.Decode(WellKnownPrograms.SplToken, new byte[10]);

        result.Should().BeEquivalentTo(new
        {
            Program = "spl-token",
            AccountType = "unknown",
            Error = "spl-token: spl-token account data of 10 bytes is not a mint (82), token account (165) or multisig (355)",
        });
        Encoding.UTF8.GetString(result.FieldsJson).Should().Be("{}");
    }

    [Fact]
    public void Unexpected_exception_from_a_decoder_becomes_an_error_naming_its_type()
    {
        var registry = Registry(static (_, _) => throw new InvalidOperationException("boom"));

        DecodedAccountData result = registry.Decode(FakeProgram, [1]);

        result.Program.Should().Be("fake");
        result.AccountType.Should().Be("unknown");
        result.Error.Should().Be("fake: decoder failed unexpectedly: InvalidOperationException: boom");
        Encoding.UTF8.GetString(result.FieldsJson).Should().Be("{}");
    }

    [Fact]
    public void Decoder_that_writes_no_object_is_a_failure()
    {
        var registry = Registry(static (_, _) => "thing");

        registry.Decode(FakeProgram, []).Error.Should().Be("fake: decoder did not write one complete JSON object");
    }

    [Fact]
    public void Decoder_that_leaves_its_object_open_is_a_failure()
    {
        var registry = Registry(static (_, writer) =>
        {
            writer.WriteStartObject();
            writer.WriteNumber("a", 1);
            return "thing";
        });

        registry.Decode(FakeProgram, []).Error.Should().Be("fake: decoder did not write one complete JSON object");
    }

    [Fact]
    public void Decoder_that_writes_an_array_instead_of_an_object_is_a_failure()
    {
        var registry = Registry(static (_, writer) =>
        {
            writer.WriteStartArray();
            writer.WriteEndArray();
            return "thing";
        });

        registry.Decode(FakeProgram, []).Error.Should().Be("fake: decoder did not write one complete JSON object");
    }

    [Fact]
    public void Decoder_that_returns_no_account_type_is_a_failure()
    {
        var registry = Registry(static (_, writer) =>
        {
            writer.WriteStartObject();
            writer.WriteEndObject();
            return "";
        });

        registry.Decode(FakeProgram, []).Error.Should().Be("fake: decoder returned no account type");
    }

    [Fact]
    public void Half_written_output_of_a_failed_decode_does_not_leak_into_the_next_one()
    {
        var registry = Registry(static (data, writer) =>
        {
            writer.WriteStartObject();
            writer.WriteString("partial", "yes");
            if (data[0] == 0)
            {
                throw new AccountDecodeException("bad");
            }

            writer.WriteEndObject();
            return "thing";
        });

        registry.Decode(FakeProgram, [0]).Error.Should().Be("fake: bad");
        DecodedAccountData next = registry.Decode(FakeProgram, [1]);

        next.Error.Should().BeNull();
        Encoding.UTF8.GetString(next.FieldsJson).Should().Be("""{"partial":"yes"}""");
    }

    [Fact]
    public void Register_replaces_the_decoder_for_the_same_program()
    {
        var registry = AccountDecoderRegistry.CreateDefault();
        var replacement = new FakeDecoder(WellKnownPrograms.SplToken, "my-token", static (_, writer) =>
        {
            writer.WriteStartObject();
            writer.WriteEndObject();
            return "anything";
        });

        registry.Register(replacement);

        registry.TryGetDecoder(WellKnownPrograms.SplToken, out IAccountDecoder? decoder).Should().BeTrue();
        decoder.Should().BeSameAs(replacement);
        registry.Decode(WellKnownPrograms.SplToken, new byte[3]).Program.Should().Be("my-token");
        registry.TryGetDecoder(WellKnownPrograms.System, out _).Should().BeTrue();
    }

    [Fact]
    public void Constructor_keeps_the_last_of_two_decoders_for_one_program()
    {
        var first = new FakeDecoder(FakeProgram, "first", static (_, _) => "x");
        var second = new FakeDecoder(FakeProgram, "second", static (_, _) => "x");

        var registry = new AccountDecoderRegistry([first, second]);

        registry.TryGetDecoder(FakeProgram, out IAccountDecoder? decoder).Should().BeTrue();
        decoder.Should().BeSameAs(second);
    }

    [Fact]
    public void A_result_is_not_overwritten_by_the_next_decode_on_the_same_thread()
    {
        var registry = AccountDecoderRegistry.CreateDefault();
        byte[] mint = new byte[82];
        mint[44] = 6;

        DecodedAccountData first = registry.Decode(WellKnownPrograms.SplToken, mint);
        string firstJson = Encoding.UTF8.GetString(first.FieldsJson);
        registry.Decode(WellKnownPrograms.SplToken, new byte[165]);

        Encoding.UTF8.GetString(first.FieldsJson).Should().Be(firstJson).And.Contain("\"decimals\":6");
    }

    [Fact]
    public void A_decoder_may_decode_through_the_registry_again()
    {
        AccountDecoderRegistry? registry = null;
        var outer = new FakeDecoder(FakeProgram, "outer", (data, writer) =>
        {
            DecodedAccountData inner = registry!.Decode(WellKnownPrograms.System, []);
            writer.WriteStartObject();
            writer.WritePropertyName("inner");
            writer.WriteRawValue(inner.FieldsJson);
            writer.WriteEndObject();
            return "wrapper";
        });
        registry = new AccountDecoderRegistry([new SystemProgramDecoder(), outer]);

        DecodedAccountData result = registry.Decode(FakeProgram, []);

        result.Error.Should().BeNull();
        Encoding.UTF8.GetString(result.FieldsJson).Should().Be("""{"inner":{}}""");
    }

    [Fact]
    public void Decodes_on_many_threads_at_once_do_not_mix_their_output()
    {
        var registry = AccountDecoderRegistry.CreateDefault();
        var failures = new System.Collections.Concurrent.ConcurrentBag<string>();

        Parallel.For(0, 4000, new ParallelOptions { MaxDegreeOfParallelism = 8 }, i =>
        {
            var mint = new byte[82];
            Layout.U64(mint, 36, (ulong)i);
            mint[44] = (byte)(i % 19);
            string json = Encoding.UTF8.GetString(registry.Decode(WellKnownPrograms.SplToken, mint).FieldsJson);
            if (!json.Contains($"\"supply\":\"{i}\",\"decimals\":{i % 19},", StringComparison.Ordinal))
            {
                failures.Add($"{i}: {json}");
            }
        });

        failures.Should().BeEmpty();
    }

    [Fact]
    public void A_decode_allocates_little_more_than_its_result()
    {
        var registry = AccountDecoderRegistry.CreateDefault();
        var account = new byte[165];
        for (int i = 0; i < account.Length; i++)
        {
            account[i] = (byte)(i * 7);
        }

        account[108] = 1;
        foreach (int tagOffset in new[] { 72, 109, 129 })
        {
            Layout.U32(account, tagOffset, 1);
        }

        for (int i = 0; i < 200; i++)
        {
            registry.Decode(WellKnownPrograms.SplToken, account);
        }

        long before = GC.GetAllocatedBytesForCurrentThread();
        DecodedAccountData result = registry.Decode(WellKnownPrograms.SplToken, account);
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        // The result: the record (about 48 bytes) and the JSON array (24 bytes of header plus the text).
        // One stray base58 string per key (about 110 bytes each, four keys here) would blow this budget.
        result.Error.Should().BeNull();
        allocated.Should().BeLessThanOrEqualTo(result.FieldsJson.Length + 24 + 48 + 64);
    }

    private static AccountDecoderRegistry Registry(DecodeBody body)
    {
        return new AccountDecoderRegistry([new FakeDecoder(FakeProgram, "fake", body)]);
    }
}
