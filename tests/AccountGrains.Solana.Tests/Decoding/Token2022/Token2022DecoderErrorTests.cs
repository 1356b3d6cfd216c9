using AccountGrains.Solana.Decoding;
using AccountGrains.Solana.Decoding.Token2022;
using AccountGrains.Solana.Tests.TestSupport;

using static AccountGrains.Solana.Tests.Decoding.Token2022.Token2022Bytes;

namespace AccountGrains.Solana.Tests.Decoding.Token2022;

/// <summary>Data the program would refuse, each with its message and <see cref="DecodeFailure"/> reason code.</summary>
public sealed class Token2022DecoderErrorTests
{
    private readonly Token2022Decoder _decoder = new();

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(81)]
    [InlineData(83)]
    [InlineData(120)]
    [InlineData(164)]
    public void Lengths_that_are_no_account_kind_are_invalid_length(int length)
    {
        Reject(_decoder, new byte[length]).Should().Be((
            $"spl-token-2022 account data of {length} bytes is not a mint (82), token account (165), multisig (355) " +
            "or a mint or account with extensions (more than 165)",
            DecodeFailure.InvalidLength));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(3)]
    [InlineData(255)]
    public void Account_type_byte_other_than_mint_or_account_is_invalid_data(byte accountType)
    {
        var data = new byte[170];
        WriteBaseAccount(data);
        data[165] = accountType;

        Reject(_decoder, data).Should().Be((
            $"account type byte {accountType} at offset 165 is not 1 (mint) or 2 (token account)", DecodeFailure.InvalidData));
    }

    [Theory]
    [InlineData(82)]
    [InlineData(120)]
    [InlineData(164)]
    public void Extended_mint_with_a_non_zero_padding_byte_is_invalid_data(int offset)
    {
        byte[] data = MintWithOneEntry(9, 0);
        data[offset] = 7;

        Reject(_decoder, data).Should().Be((
            $"mint padding byte at offset {offset} is 7, not 0: a mint with extensions is zero from byte 82 to its account type byte at 165",
            DecodeFailure.InvalidData));
    }

    [Fact]
    public void Entry_whose_value_runs_past_the_end_is_truncated()
    {
        byte[] data = MintWithOneEntry(3, 32)[..190];       // 20 of MintCloseAuthority's 32 bytes

        Reject(_decoder, data).Should().Be((
            "extension mint_close_authority (type 3) at offset 166 has length 32 but only 20 bytes follow", DecodeFailure.Truncated));
    }

    [Fact]
    public void Undecoded_entry_whose_value_runs_past_the_end_is_truncated_too()
    {
        byte[] data = AccountWithOneEntry(5, 10)[..175];

        Reject(_decoder, data).Should().Be((
            "extension type 5 at offset 166 has length 10 but only 5 bytes follow", DecodeFailure.Truncated));
    }

    [Theory]
    [InlineData(2)]
    [InlineData(3)]
    public void Entry_with_a_type_but_no_room_for_its_length_is_truncated(int left)
    {
        byte[] data = [.. AccountWithOneEntry(7, 0), .. new byte[left]];
        U16(data, 170, 8);                                  // a MemoTransfer type with no length after it

        Reject(_decoder, data).Should().Be((
            $"extension memo_transfer (type 8) at offset 170 has no length: only {left} bytes are left", DecodeFailure.Truncated));
    }

    [Theory]
    [InlineData(1, 107)]
    [InlineData(3, 33)]
    [InlineData(7, 1)]
    [InlineData(8, 0)]
    [InlineData(10, 53)]
    [InlineData(25, 55)]
    [InlineData(26, 32)]
    public void Fixed_size_extension_of_another_length_is_invalid_data(ushort type, int length)
    {
        byte[] data = MintWithOneEntry(type, length);

        (string message, string reason) = Reject(_decoder, data);

        message.Should().MatchRegex($@"^extension \w+ \(type {type}\) at offset 166 has length {length}, not its size \d+$");
        reason.Should().Be(DecodeFailure.InvalidData);
    }

    [Fact]
    public void Extension_appearing_twice_is_invalid_data()
    {
        var data = new byte[174];
        WriteBaseMint(data);
        data[165] = 1;
        Entry(data, 166, 9, 0);
        Entry(data, 170, 9, 0);

        Reject(_decoder, data).Should().Be((
            "extension non_transferable (type 9) appears a second time, at offset 170", DecodeFailure.InvalidData));
    }

    [Fact]
    public void Default_account_state_above_frozen_is_invalid_data()
    {
        byte[] data = MintWithOneEntry(6, 1);
        data[170] = 3;

        Reject(_decoder, data).Should().Be((
            "default_account_state state byte 3 at offset 170 is not 0, 1 or 2", DecodeFailure.InvalidData));
    }

    [Theory]
    [InlineData(double.NaN, "NaN")]
    [InlineData(double.PositiveInfinity, "Infinity")]
    [InlineData(double.NegativeInfinity, "-Infinity")]
    public void Scaled_ui_amount_multiplier_that_is_not_finite_is_invalid_data(double multiplier, string shown)
    {
        byte[] data = MintWithOneEntry(25, 56);
        F64(data, 202, 1);
        F64(data, 218, multiplier);

        Reject(_decoder, data).Should().Be((
            $"scaled_ui_amount new_multiplier at offset 218 is {shown}, not a finite number", DecodeFailure.InvalidData));
    }

    [Fact]
    public void Token_metadata_string_longer_than_its_entry_is_truncated()
    {
        byte[] data = MintWithOneEntry(19, 64 + 4 + 3);
        Layout.U32(data, 234, 4);                           // name claims 4 bytes; 3 are left in the entry

        Reject(_decoder, data).Should().Be((
            "token_metadata name at offset 234 claims 4 bytes but only 3 are left", DecodeFailure.Truncated));
    }

    [Fact]
    public void Token_metadata_string_length_past_int_max_is_truncated_not_an_overflow()
    {
        byte[] data = MintWithOneEntry(19, 64 + 4);
        Layout.U32(data, 234, uint.MaxValue);

        Reject(_decoder, data).Should().Be((
            "token_metadata name at offset 234 claims 4294967295 bytes but only 0 are left", DecodeFailure.Truncated));
    }

    [Fact]
    public void Token_metadata_string_cannot_read_into_the_next_entry()
    {
        byte[] first = MintWithOneEntry(19, 64 + 4);
        byte[] data = [.. first, 9, 0, 0, 0];               // a NonTransferable entry right after
        Layout.U32(data, 234, 0);                           // name: empty, then no room for the symbol's length

        Reject(_decoder, data).Should().Be((
            "unexpected end of data at offset 238 reading token_metadata symbol: need 4 bytes, 0 left", DecodeFailure.Truncated));
    }

    [Fact]
    public void Token_metadata_with_more_pairs_than_bytes_is_truncated()
    {
        byte[] data = MintWithOneEntry(19, 64 + 12 + 4);
        Layout.U32(data, 246, uint.MaxValue);               // additional_metadata count after three empty strings

        Reject(_decoder, data).Should().Be((
            "unexpected end of data at offset 250 reading token_metadata additional_metadata key: need 4 bytes, 0 left",
            DecodeFailure.Truncated));
    }

    [Fact]
    public void Token_metadata_string_that_is_not_utf8_is_invalid_data()
    {
        byte[] data = MintWithOneEntry(19, 64 + 4 + 2 + 12);
        Layout.U32(data, 234, 2);
        data[238] = 0xC3;                                   // a UTF-8 lead byte followed by
        data[239] = 0x28;                                   // something that is no continuation byte

        Reject(_decoder, data).Should().Be(("token_metadata name at offset 234 is not valid UTF-8", DecodeFailure.InvalidData));
    }

    [Fact]
    public void Token_metadata_with_unused_bytes_after_its_fields_is_invalid_data()
    {
        byte[] data = MintWithOneEntry(19, 64 + 16 + 3);   // three empty strings, no pairs, then 3 stray bytes

        Reject(_decoder, data).Should().Be((
            "token_metadata ends at offset 250 with 3 unused bytes left in its extension", DecodeFailure.InvalidData));
    }

    [Fact]
    public void Base_field_errors_of_an_extended_mint_are_reported_as_for_spl_token()
    {
        byte[] data = MintWithOneEntry(9, 0);
        Layout.U32(data, 46, 2);                            // freeze_authority option tag

        Reject(_decoder, data).Should().Be((
            "freeze_authority option tag 2 at offset 46 is not 0 (none) or 1 (some)", DecodeFailure.InvalidData));
    }

    [Fact]
    public void Registry_reports_a_rejected_token_2022_account_with_its_reason_code()
    {
        byte[] data = MintWithOneEntry(3, 32)[..190];

        DecodedAccountData result = AccountDecoderRegistry.CreateDefault().Decode(WellKnownPrograms.Token2022, data);

        result.Should().BeEquivalentTo(new
        {
            Program = "spl-token-2022",
            AccountType = "unknown",
            Error = "spl-token-2022: extension mint_close_authority (type 3) at offset 166 has length 32 but only 20 bytes follow",
            FailureReason = DecodeFailure.Truncated,
        });
    }
}
