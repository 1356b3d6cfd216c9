using AccountGrains.Solana.Decoding;
using AccountGrains.Solana.Tests.TestSupport;

namespace AccountGrains.Solana.Tests.Decoding;

public sealed class SystemProgramDecoderTests
{
    private readonly SystemProgramDecoder _decoder = new();

    [Fact]
    public void Decoder_is_registered_under_the_system_program_as_system()
    {
        _decoder.ProgramId.Should().Be(WellKnownPrograms.System);
        _decoder.ProgramName.Should().Be("system");
    }

    [Fact]
    public void Account_without_data_is_a_plain_system_account()
    {
        Layout.Decode(_decoder, []).Should().Be(("system_account", "{}"));
    }

    [Fact]
    public void Initialized_nonce_account_shows_authority_nonce_and_fee()
    {
        var data = new byte[80];
        Layout.U32(data, 0, 1);                      // version: current
        Layout.U32(data, 4, 1);                      // state: initialized
        Layout.Key(data, 8, Layout.KeyA);            // authority
        Layout.Key(data, 40, Layout.KeyB);           // durable nonce (a hash, shown in base58)
        Layout.U64(data, 72, 5000);                  // lamports per signature

        Layout.Decode(_decoder, data).Should().Be((
            "nonce",
            $$"""{"version":"current","state":"initialized","authority":"{{Layout.KeyA}}","durable_nonce":"{{Layout.KeyB}}","lamports_per_signature":"5000"}"""));
    }

    [Fact]
    public void Legacy_nonce_version_is_named_legacy_and_the_fee_is_a_full_u64_string()
    {
        var data = new byte[80];
        Layout.U32(data, 0, 0);
        Layout.U32(data, 4, 1);
        Layout.Key(data, 8, Layout.KeyC);
        Layout.Key(data, 40, Layout.KeyD);
        Layout.U64(data, 72, ulong.MaxValue);

        Layout.Decode(_decoder, data).Should().Be((
            "nonce",
            $$"""{"version":"legacy","state":"initialized","authority":"{{Layout.KeyC}}","durable_nonce":"{{Layout.KeyD}}","lamports_per_signature":"18446744073709551615"}"""));
    }

    [Fact]
    public void Uninitialized_nonce_shows_only_version_and_state_and_ignores_the_rest()
    {
        var data = new byte[80];
        Layout.U32(data, 0, 1);
        Layout.U32(data, 4, 0);
        data.AsSpan(8).Fill(0xAB);

        Layout.Decode(_decoder, data).Should().Be(("nonce", """{"version":"current","state":"uninitialized"}"""));
    }

    [Fact]
    public void Unknown_nonce_version_is_rejected()
    {
        var data = new byte[80];
        Layout.U32(data, 0, 2);

        Layout.DecodeError(_decoder, data).Should().Be("nonce version 2 is not 0 (legacy) or 1 (current)");
    }

    [Fact]
    public void Unknown_nonce_state_is_rejected()
    {
        var data = new byte[80];
        Layout.U32(data, 0, 1);
        Layout.U32(data, 4, 7);

        Layout.DecodeError(_decoder, data).Should().Be("nonce state 7 is not 0 (uninitialized) or 1 (initialized)");
    }

    [Theory]
    [InlineData(1)]
    [InlineData(79)]
    [InlineData(81)]
    [InlineData(165)]
    public void Data_that_is_neither_empty_nor_a_nonce_is_rejected(int length)
    {
        Layout.DecodeError(_decoder, new byte[length]).Should().Be(
            $"system account data of {length} bytes is neither empty nor an 80-byte nonce account");
    }
}
