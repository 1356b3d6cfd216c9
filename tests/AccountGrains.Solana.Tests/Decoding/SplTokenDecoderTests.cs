using AccountGrains.Solana.Decoding;
using AccountGrains.Solana.Tests.TestSupport;

namespace AccountGrains.Solana.Tests.Decoding;

public sealed class SplTokenDecoderTests
{
    private readonly SplTokenDecoder _decoder = new();

    [Fact]
    public void Decoder_is_registered_under_the_token_program_as_spl_token()
    {
        _decoder.ProgramId.Should().Be(WellKnownPrograms.SplToken);
        _decoder.ProgramName.Should().Be("spl-token");
    }

    [Fact]
    public void Mint_with_both_authorities_decodes_every_field()
    {
        var data = new byte[82];
        Layout.U32(data, 0, 1);                            // mint_authority: some
        Layout.Key(data, 4, Layout.KeyA);
        Layout.U64(data, 36, 1_000_000_000_000_000_000);   // supply, past 2^53
        data[44] = 9;                                      // decimals
        data[45] = 1;                                      // is_initialized
        Layout.U32(data, 46, 1);                           // freeze_authority: some
        Layout.Key(data, 50, Layout.KeyB);

        Layout.Decode(_decoder, data).Should().Be((
            "mint",
            $$"""{"mint_authority":"{{Layout.KeyA}}","supply":"1000000000000000000","decimals":9,"is_initialized":true,"freeze_authority":"{{Layout.KeyB}}"}"""));
    }

    [Fact]
    public void Mint_authorities_behind_a_none_tag_are_null_whatever_bytes_follow()
    {
        var data = new byte[82];
        Layout.U32(data, 0, 0);
        Layout.Key(data, 4, Layout.KeyA);                  // stale key behind "none": must be ignored
        Layout.U64(data, 36, ulong.MaxValue);
        data[44] = 0;
        data[45] = 0;
        Layout.U32(data, 46, 0);
        Layout.Key(data, 50, Layout.KeyB);

        Layout.Decode(_decoder, data).Should().Be((
            "mint",
            """{"mint_authority":null,"supply":"18446744073709551615","decimals":0,"is_initialized":false,"freeze_authority":null}"""));
    }

    [Theory]
    [InlineData(0, 2u, "mint_authority option tag 2 at offset 0 is not 0 (none) or 1 (some)")]
    [InlineData(0, 0x100u, "mint_authority option tag 256 at offset 0 is not 0 (none) or 1 (some)")]
    [InlineData(46, 0xFFFFFFFFu, "freeze_authority option tag 4294967295 at offset 46 is not 0 (none) or 1 (some)")]
    public void Mint_option_tags_other_than_0_or_1_are_rejected(int offset, uint tag, string message)
    {
        var data = new byte[82];
        Layout.U32(data, offset, tag);

        Layout.DecodeError(_decoder, data).Should().Be(message);
    }

    [Fact]
    public void Mint_is_initialized_byte_other_than_0_or_1_is_rejected()
    {
        var data = new byte[82];
        data[45] = 2;

        Layout.DecodeError(_decoder, data).Should().Be("is_initialized byte 2 at offset 45 is not 0 (false) or 1 (true)");
    }

    [Fact]
    public void Token_account_with_every_option_present_decodes_every_field()
    {
        var data = new byte[165];
        Layout.Key(data, 0, Layout.WrappedSol);             // mint
        Layout.Key(data, 32, Layout.KeyA);                  // owner
        Layout.U64(data, 64, ulong.MaxValue - 1);           // amount
        Layout.U32(data, 72, 1);                            // delegate: some
        Layout.Key(data, 76, Layout.KeyB);
        data[108] = 2;                                      // state: frozen
        Layout.U32(data, 109, 1);                           // is_native: some
        Layout.U64(data, 113, 2_039_280);                   // rent-exempt reserve
        Layout.U64(data, 121, 9_007_199_254_740_993);       // delegated_amount = 2^53 + 1
        Layout.U32(data, 129, 1);                           // close_authority: some
        Layout.Key(data, 133, Layout.KeyC);

        Layout.Decode(_decoder, data).Should().Be((
            "token_account",
            $$"""{"mint":"{{Layout.WrappedSol}}","owner":"{{Layout.KeyA}}","amount":"18446744073709551614","delegate":"{{Layout.KeyB}}","state":"frozen","is_native":"2039280","delegated_amount":"9007199254740993","close_authority":"{{Layout.KeyC}}"}"""));
    }

    [Fact]
    public void Token_account_with_every_option_absent_has_nulls()
    {
        var data = new byte[165];
        Layout.Key(data, 0, Layout.KeyD);
        Layout.Key(data, 32, Layout.KeyA);
        Layout.U64(data, 64, 42);
        Layout.U32(data, 72, 0);
        Layout.Key(data, 76, Layout.KeyB);                  // ignored behind "none"
        data[108] = 1;                                      // state: initialized
        Layout.U32(data, 109, 0);
        Layout.U64(data, 113, 123);                         // ignored behind "none"
        Layout.U64(data, 121, 0);
        Layout.U32(data, 129, 0);
        Layout.Key(data, 133, Layout.KeyC);                 // ignored behind "none"

        Layout.Decode(_decoder, data).Should().Be((
            "token_account",
            $$"""{"mint":"{{Layout.KeyD}}","owner":"{{Layout.KeyA}}","amount":"42","delegate":null,"state":"initialized","is_native":null,"delegated_amount":"0","close_authority":null}"""));
    }

    [Fact]
    public void Token_account_state_0_is_uninitialized()
    {
        var data = new byte[165];

        Layout.Decode(_decoder, data).Json.Should().Contain("\"state\":\"uninitialized\"");
    }

    [Theory]
    [InlineData(3)]
    [InlineData(7)]
    [InlineData(255)]
    public void Token_account_state_byte_above_2_is_rejected(byte state)
    {
        var data = new byte[165];
        data[108] = state;

        Layout.DecodeError(_decoder, data).Should().Be($"token account state byte {state} is not 0, 1 or 2");
    }

    [Theory]
    [InlineData(72, "delegate option tag 2 at offset 72 is not 0 (none) or 1 (some)")]
    [InlineData(109, "is_native option tag 2 at offset 109 is not 0 (none) or 1 (some)")]
    [InlineData(129, "close_authority option tag 2 at offset 129 is not 0 (none) or 1 (some)")]
    public void Token_account_option_tags_other_than_0_or_1_are_rejected(int offset, string message)
    {
        var data = new byte[165];
        Layout.U32(data, offset, 2);

        Layout.DecodeError(_decoder, data).Should().Be(message);
    }

    [Fact]
    public void Multisig_lists_only_the_first_n_signers()
    {
        var data = new byte[355];
        data[0] = 2;                                        // m: signatures required
        data[1] = 3;                                        // n: valid signers
        data[2] = 1;                                        // is_initialized
        Layout.Key(data, 3, Layout.KeyA);
        Layout.Key(data, 35, Layout.KeyB);
        Layout.Key(data, 67, Layout.KeyC);
        Layout.Key(data, 99, Layout.KeyD);                  // slot 4 of 11: beyond n, not a signer
        Layout.Key(data, 323, Layout.WrappedSol);           // slot 11: beyond n, not a signer

        Layout.Decode(_decoder, data).Should().Be((
            "multisig",
            $$"""{"m":2,"n":3,"is_initialized":true,"signers":["{{Layout.KeyA}}","{{Layout.KeyB}}","{{Layout.KeyC}}"]}"""));
    }

    [Fact]
    public void Multisig_with_all_eleven_signers_lists_the_last_slot()
    {
        var data = new byte[355];
        data[0] = 11;
        data[1] = 11;
        data[2] = 1;
        Layout.Key(data, 3 + (10 * 32), Layout.WrappedSol);

        string json = Layout.Decode(_decoder, data).Json;

        json.Should().StartWith("""{"m":11,"n":11,"is_initialized":true,"signers":["11111111111111111111111111111111",""");
        json.Should().EndWith($$""","{{Layout.WrappedSol}}"]}""");
    }

    [Fact]
    public void Uninitialized_multisig_has_no_signers()
    {
        Layout.Decode(_decoder, new byte[355]).Should().Be((
            "multisig", """{"m":0,"n":0,"is_initialized":false,"signers":[]}"""));
    }

    [Fact]
    public void Multisig_claiming_more_than_eleven_signers_is_rejected()
    {
        var data = new byte[355];
        data[1] = 12;

        Layout.DecodeError(_decoder, data).Should().Be("multisig n = 12 exceeds the 11 signer slots");
    }

    [Theory]
    [InlineData(0)]
    [InlineData(81)]
    [InlineData(83)]
    [InlineData(164)]
    [InlineData(166)]
    [InlineData(354)]
    [InlineData(356)]
    public void Any_other_length_is_rejected_naming_the_three_valid_ones(int length)
    {
        Layout.DecodeError(_decoder, new byte[length]).Should().Be(
            $"spl-token account data of {length} bytes is not a mint (82), token account (165) or multisig (355)");
    }
}
