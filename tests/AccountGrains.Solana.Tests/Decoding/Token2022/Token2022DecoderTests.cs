using System.Text;

using AccountGrains.Solana.Decoding;
using AccountGrains.Solana.Decoding.Token2022;
using AccountGrains.Solana.Tests.TestSupport;

using static AccountGrains.Solana.Tests.Decoding.Token2022.Token2022Bytes;

namespace AccountGrains.Solana.Tests.Decoding.Token2022;

/// <summary>
/// Hand-built Token-2022 layouts, offset by offset, against the exact JSON. Extension layouts follow spl-token-2022's
/// Pod structs (and @solana/spl-token's layouts of them); the cross-check tests compare with the library itself.
/// </summary>
public sealed class Token2022DecoderTests
{
    private readonly Token2022Decoder _decoder = new();

    /// <summary>The end of a decoded object holding one extension: <c>,"extensions":{"name":fields}}</c>.</summary>
    private static string Ext(string name, string fields)
    {
        return $",\"extensions\":{{\"{name}\":{fields}}}}}";
    }

    [Fact]
    public void Decoder_is_registered_by_default_under_the_token_2022_program_as_spl_token_2022()
    {
        _decoder.ProgramId.Should().Be(WellKnownPrograms.Token2022);
        _decoder.ProgramName.Should().Be("spl-token-2022");

        AccountDecoderRegistry.CreateDefault().TryGetDecoder(WellKnownPrograms.Token2022, out IAccountDecoder? registered)
            .Should().BeTrue();
        registered.Should().BeOfType<Token2022Decoder>();
    }

    [Fact]
    public void Registry_reports_a_decoded_token_2022_mint_under_its_program_name()
    {
        var data = new byte[82];
        WriteBaseMint(data);

        DecodedAccountData result = AccountDecoderRegistry.CreateDefault().Decode(WellKnownPrograms.Token2022, data);

        result.Should().BeEquivalentTo(new { Program = "spl-token-2022", AccountType = "mint", Error = (string?)null });
        Encoding.UTF8.GetString(result.FieldsJson).Should().Be(BaseMintJson + ""","extensions":{}}""");
    }

    [Fact]
    public void Base_mint_of_82_bytes_has_the_spl_token_fields_and_empty_extensions()
    {
        var data = new byte[82];
        WriteBaseMint(data);

        Layout.Decode(_decoder, data).Should().Be(("mint", BaseMintJson + ""","extensions":{}}"""));
    }

    [Fact]
    public void Base_account_of_165_bytes_has_the_spl_token_fields_and_empty_extensions()
    {
        var data = new byte[165];
        WriteBaseAccount(data);

        Layout.Decode(_decoder, data).Should().Be(("token_account", BaseAccountJson + ""","extensions":{}}"""));
    }

    [Fact]
    public void Base_fields_are_exactly_what_spl_token_writes_for_the_same_bytes()
    {
        var mint = new byte[82];
        WriteBaseMint(mint);
        var account = new byte[165];
        WriteBaseAccount(account);
        var splToken = new SplTokenDecoder();

        Layout.Decode(_decoder, mint).Json.Should().Be(Layout.Decode(splToken, mint).Json.TrimEnd('}') + ""","extensions":{}}""");
        Layout.Decode(_decoder, account).Json.Should().Be(Layout.Decode(splToken, account).Json.TrimEnd('}') + ""","extensions":{}}""");
    }

    [Fact]
    public void Data_of_355_bytes_is_a_multisig_written_as_spl_token_writes_it_even_with_an_account_type_byte()
    {
        var data = new byte[355];
        data[0] = 1;                                        // m
        data[1] = 1;                                        // n
        data[2] = 1;                                        // is_initialized
        Layout.Key(data, 3, Layout.KeyA);
        data[AccountTypeOffset] = 1;                        // inside signer slot 6: not an account type
        Entry(data, TlvStart, 3, 32);

        Layout.Decode(_decoder, data).Should().Be((
            "multisig", $$"""{"m":1,"n":1,"is_initialized":true,"signers":["{{Layout.KeyA}}"]}"""));
        Layout.Decode(_decoder, data).Json.Should().Be(Layout.Decode(new SplTokenDecoder(), data).Json);
    }

    [Fact]
    public void Mint_with_an_account_type_byte_and_no_entries_has_empty_extensions()
    {
        var data = new byte[166];
        WriteBaseMint(data);
        data[165] = 1;

        Layout.Decode(_decoder, data).Should().Be(("mint", BaseMintJson + ""","extensions":{}}"""));
    }

    [Fact]
    public void Transfer_fee_config_decodes_both_authorities_the_withheld_amount_and_both_fees()
    {
        byte[] data = MintWithOneEntry(1, 108);
        Layout.Key(data, 170, Layout.KeyD);                 // transfer_fee_config_authority
        //             202: withdraw_withheld_authority, all zero: none
        Layout.U64(data, 234, ulong.MaxValue);              // withheld_amount
        Layout.U64(data, 242, 100);                         // older_transfer_fee.epoch
        Layout.U64(data, 250, 5_000);                       // older_transfer_fee.maximum_fee
        U16(data, 258, 100);                                // older_transfer_fee.transfer_fee_basis_points
        Layout.U64(data, 260, 9_007_199_254_740_993);       // newer_transfer_fee.epoch = 2^53 + 1
        Layout.U64(data, 268, 0);                           // newer_transfer_fee.maximum_fee
        U16(data, 276, 65_535);                             // newer_transfer_fee.transfer_fee_basis_points

        Layout.Decode(_decoder, data).Should().Be(("mint", BaseMintJson +
            Ext("transfer_fee_config", $$$"""{"transfer_fee_config_authority":"{{{Layout.KeyD}}}","withdraw_withheld_authority":null,"withheld_amount":"18446744073709551615","older_transfer_fee":{"epoch":"100","maximum_fee":"5000","transfer_fee_basis_points":100},"newer_transfer_fee":{"epoch":"9007199254740993","maximum_fee":"0","transfer_fee_basis_points":65535}}""")));
    }

    [Fact]
    public void Transfer_fee_amount_decodes_the_withheld_amount()
    {
        byte[] data = AccountWithOneEntry(2, 8);
        Layout.U64(data, 170, 18_446_744_073_709_551_614);

        Layout.Decode(_decoder, data).Should().Be(("token_account", BaseAccountJson +
            Ext("transfer_fee_amount", """{"withheld_amount":"18446744073709551614"}""")));
    }

    [Fact]
    public void Mint_close_authority_is_a_key_or_null_when_all_zero()
    {
        byte[] some = MintWithOneEntry(3, 32);
        Layout.Key(some, 170, Layout.KeyC);
        byte[] none = MintWithOneEntry(3, 32);

        Layout.Decode(_decoder, some).Json.Should().EndWith(Ext("mint_close_authority", $$"""{"close_authority":"{{Layout.KeyC}}"}"""));
        Layout.Decode(_decoder, none).Json.Should().EndWith(Ext("mint_close_authority", """{"close_authority":null}"""));
    }

    [Theory]
    [InlineData(0, "uninitialized")]
    [InlineData(1, "initialized")]
    [InlineData(2, "frozen")]
    public void Default_account_state_is_named_like_a_token_account_state(byte state, string name)
    {
        byte[] data = MintWithOneEntry(6, 1);
        data[170] = state;

        Layout.Decode(_decoder, data).Should().Be(("mint", BaseMintJson +
            Ext("default_account_state", $$"""{"state":"{{name}}"}""")));
    }

    [Theory]
    [InlineData(7, false, "immutable_owner")]
    [InlineData(9, true, "non_transferable")]
    [InlineData(13, false, "non_transferable_account")]
    [InlineData(27, false, "pausable_account")]
    public void Marker_extensions_without_fields_are_empty_objects(ushort type, bool onMint, string name)
    {
        byte[] data = onMint ? MintWithOneEntry(type, 0) : AccountWithOneEntry(type, 0);

        Layout.Decode(_decoder, data).Json.Should().Be((onMint ? BaseMintJson : BaseAccountJson) +
            Ext(name, "{}"));
    }

    [Theory]
    [InlineData(8, "memo_transfer", "require_incoming_transfer_memos", 0, false)]
    [InlineData(8, "memo_transfer", "require_incoming_transfer_memos", 1, true)]
    [InlineData(11, "cpi_guard", "lock_cpi", 1, true)]
    [InlineData(11, "cpi_guard", "lock_cpi", 0, false)]
    [InlineData(15, "transfer_hook_account", "transferring", 1, true)]
    [InlineData(15, "transfer_hook_account", "transferring", 2, true)]
    [InlineData(15, "transfer_hook_account", "transferring", 255, true)]
    public void Account_flags_are_pod_bools_true_for_any_non_zero_byte(ushort type, string name, string field, byte value, bool expected)
    {
        byte[] data = AccountWithOneEntry(type, 1);
        data[170] = value;

        Layout.Decode(_decoder, data).Should().Be(("token_account", BaseAccountJson +
            Ext(name, $"{{\"{field}\":{(expected ? "true" : "false")}}}")));
    }

    [Fact]
    public void Interest_bearing_config_decodes_i64_timestamps_and_i16_basis_point_rates_at_their_extremes()
    {
        byte[] data = MintWithOneEntry(10, 52);
        Layout.Key(data, 170, Layout.KeyA);                 // rate_authority
        I64(data, 202, long.MinValue);                      // initialization_timestamp
        I16(data, 210, short.MinValue);                     // pre_update_average_rate
        I64(data, 212, long.MaxValue);                      // last_update_timestamp
        I16(data, 220, 500);                                // current_rate

        Layout.Decode(_decoder, data).Should().Be(("mint", BaseMintJson +
            Ext("interest_bearing_config", $$"""{"rate_authority":"{{Layout.KeyA}}","initialization_timestamp":-9223372036854775808,"pre_update_average_rate":-32768,"last_update_timestamp":9223372036854775807,"current_rate":500}""")));
    }

    [Fact]
    public void Permanent_delegate_is_a_key()
    {
        byte[] data = MintWithOneEntry(12, 32);
        Layout.Key(data, 170, Layout.WrappedSol);

        Layout.Decode(_decoder, data).Json.Should().EndWith(Ext("permanent_delegate", $$"""{"delegate":"{{Layout.WrappedSol}}"}"""));
    }

    [Fact]
    public void Transfer_hook_has_an_optional_authority_and_program_id()
    {
        byte[] data = MintWithOneEntry(14, 64);
        //             170: authority, all zero: none
        Layout.Key(data, 202, Layout.KeyC);                 // program_id

        Layout.Decode(_decoder, data).Json.Should().EndWith(
            Ext("transfer_hook", $$"""{"authority":null,"program_id":"{{Layout.KeyC}}"}"""));
    }

    [Theory]
    [InlineData(18, "metadata_pointer", "metadata_address")]
    [InlineData(20, "group_pointer", "group_address")]
    [InlineData(22, "group_member_pointer", "member_address")]
    public void Pointers_have_an_optional_authority_and_an_optional_address(ushort type, string name, string addressField)
    {
        byte[] both = MintWithOneEntry(type, 64);
        Layout.Key(both, 170, Layout.KeyA);                 // authority
        Layout.Key(both, 202, Layout.KeyB);                 // the address
        byte[] neither = MintWithOneEntry(type, 64);

        Layout.Decode(_decoder, both).Json.Should().Be(BaseMintJson +
            Ext(name, $$"""{"authority":"{{Layout.KeyA}}","{{addressField}}":"{{Layout.KeyB}}"}"""));
        Layout.Decode(_decoder, neither).Json.Should().Be(BaseMintJson +
            Ext(name, $$"""{"authority":null,"{{addressField}}":null}"""));
    }

    [Fact]
    public void Token_metadata_decodes_its_borsh_strings_and_additional_metadata_pairs_in_order()
    {
        byte[] data = MintWithOneEntry(19, 161);
        Layout.Key(data, 170, Layout.KeyD);                 // update_authority
        Layout.Key(data, 202, Layout.KeyA);                 // mint
        int offset = BorshString(data, 234, "Grains"u8.ToArray());                          // 234: u32 6, name
        offset = BorshString(data, offset, "GRN"u8.ToArray());                              // 244: u32 3, symbol
        offset = BorshString(data, offset, "https://example.com/g.json"u8.ToArray());       // 251: u32 26, uri
        Layout.U32(data, offset, 3);                                                        // 281: 3 pairs
        offset = BorshString(data, offset + 4, "color"u8.ToArray());
        offset = BorshString(data, offset, "blue"u8.ToArray());
        offset = BorshString(data, offset, "empty"u8.ToArray());
        offset = BorshString(data, offset, []);
        offset = BorshString(data, offset, "color"u8.ToArray());                            // keys may repeat
        offset = BorshString(data, offset, "red"u8.ToArray());
        offset.Should().Be(data.Length, "the test's value must fill its entry exactly");

        Layout.Decode(_decoder, data).Should().Be(("mint", BaseMintJson +
            Ext("token_metadata", $$"""{"update_authority":"{{Layout.KeyD}}","mint":"{{Layout.KeyA}}","name":"Grains","symbol":"GRN","uri":"https://example.com/g.json","additional_metadata":[["color","blue"],["empty",""],["color","red"]]}""")));
    }

    [Fact]
    public void Token_metadata_without_update_authority_and_with_unicode_and_empty_strings()
    {
        byte[] name = Encoding.UTF8.GetBytes("Café 🚀 \"q\"");
        byte[] data = MintWithOneEntry(19, 64 + 4 + name.Length + 4 + 4 + 4);
        //             170: update_authority, all zero: none
        Layout.Key(data, 202, Layout.KeyB);                 // mint
        int offset = BorshString(data, 234, name);
        offset = BorshString(data, offset, []);             // symbol
        offset = BorshString(data, offset, []);             // uri
        Layout.U32(data, offset, 0);                        // no additional metadata
        (offset + 4).Should().Be(data.Length);

        Layout.Decode(_decoder, data).Should().Be(("mint", BaseMintJson +
            Ext("token_metadata", $$"""{"update_authority":null,"mint":"{{Layout.KeyB}}","name":"Caf\u00E9 \uD83D\uDE80 \u0022q\u0022","symbol":"","uri":"","additional_metadata":[]}""")));
    }

    [Fact]
    public void Token_metadata_keeps_nul_characters_as_borsh_does_unlike_the_js_codec_that_drops_them()
    {
        byte[] data = MintWithOneEntry(19, 64 + 4 + 3 + 4 + 4 + 4);
        Layout.Key(data, 202, Layout.KeyB);
        int offset = BorshString(data, 234, [(byte)'a', 0, (byte)'b']);
        offset = BorshString(data, offset, []);
        offset = BorshString(data, offset, []);
        Layout.U32(data, offset, 0);

        Layout.Decode(_decoder, data).Json.Should().Contain(""","name":"a\u0000b",""");
    }

    [Fact]
    public void Token_group_decodes_its_authority_mint_and_u64_sizes()
    {
        byte[] data = MintWithOneEntry(21, 80);
        Layout.Key(data, 170, Layout.KeyA);                 // update_authority
        Layout.Key(data, 202, Layout.KeyB);                 // mint
        Layout.U64(data, 234, 3);                           // size
        Layout.U64(data, 242, ulong.MaxValue);              // max_size

        Layout.Decode(_decoder, data).Json.Should().Be(BaseMintJson +
            Ext("token_group", $$"""{"update_authority":"{{Layout.KeyA}}","mint":"{{Layout.KeyB}}","size":"3","max_size":"18446744073709551615"}"""));
    }

    [Fact]
    public void Token_group_member_decodes_its_mint_group_and_member_number()
    {
        byte[] data = MintWithOneEntry(23, 72);
        Layout.Key(data, 170, Layout.KeyC);                 // mint
        Layout.Key(data, 202, Layout.KeyD);                 // group
        Layout.U64(data, 234, 7);                           // member_number

        Layout.Decode(_decoder, data).Json.Should().Be(BaseMintJson +
            Ext("token_group_member", $$"""{"mint":"{{Layout.KeyC}}","group":"{{Layout.KeyD}}","member_number":"7"}"""));
    }

    [Fact]
    public void Scaled_ui_amount_decodes_f64_multipliers_as_numbers_and_an_i64_timestamp()
    {
        byte[] data = MintWithOneEntry(25, 56);
        //             170: authority, all zero: none
        F64(data, 202, 1.5);                                // multiplier
        I64(data, 210, 1_700_000_000);                      // new_multiplier_effective_timestamp
        F64(data, 218, 1e-9);                               // new_multiplier

        Layout.Decode(_decoder, data).Should().Be(("mint", BaseMintJson +
            Ext("scaled_ui_amount", """{"authority":null,"multiplier":1.5,"new_multiplier_effective_timestamp":1700000000,"new_multiplier":1E-09}""")));
    }

    [Fact]
    public void Pausable_decodes_its_authority_and_paused_flag()
    {
        byte[] data = MintWithOneEntry(26, 33);
        Layout.Key(data, 170, Layout.KeyB);                 // authority
        data[202] = 1;                                      // paused

        Layout.Decode(_decoder, data).Json.Should().Be(BaseMintJson +
            Ext("pausable", $$"""{"authority":"{{Layout.KeyB}}","paused":true}"""));
    }

    [Fact]
    public void Several_entries_are_written_in_tlv_order_and_undecoded_ones_are_listed_with_their_lengths()
    {
        var data = new byte[289];
        WriteBaseMint(data);
        data[165] = 1;
        Entry(data, 166, 3, 32);                            // MintCloseAuthority
        Layout.Key(data, 170, Layout.KeyB);
        Entry(data, 202, 4, 65);                            // ConfidentialTransferMint: not decoded
        data[206] = 0xAB;
        Entry(data, 271, 9, 0);                             // NonTransferable
        Entry(data, 275, 300, 2);                           // an id nobody has assigned
        data[279] = 0xFF;
        //             281: type 0 and zeros to the end: padding

        Layout.Decode(_decoder, data).Should().Be(("mint", BaseMintJson +
            $$$""","extensions":{"mint_close_authority":{"close_authority":"{{{Layout.KeyB}}}"},"non_transferable":{}},"unknown_extensions":[{"type_id":4,"length":65},{"type_id":300,"length":2}]}"""));
    }

    [Fact]
    public void Account_whose_entries_end_at_355_bytes_carries_two_padding_bytes_and_decodes()
    {
        var data = new byte[357];
        WriteBaseAccount(data);
        data[165] = 2;
        Entry(data, 166, 7, 0);                             // ImmutableOwner
        Entry(data, 170, 5, 181);                           // ConfidentialTransferAccount (not decoded) up to byte 355
        //             355, 356: the two zero bytes the program adds so the account is not 355 bytes long

        Layout.Decode(_decoder, data).Should().Be(("token_account", BaseAccountJson +
            ""","extensions":{"immutable_owner":{}},"unknown_extensions":[{"type_id":5,"length":181}]}"""));
    }

    [Fact]
    public void Entries_after_an_uninitialized_entry_are_ignored_as_the_program_ignores_them()
    {
        var data = new byte[214];
        WriteBaseMint(data);
        data[165] = 1;
        Entry(data, 166, 0, 3);                             // Uninitialized, even with a length: the end
        Entry(data, 170, 3, 32);                            // never read
        Layout.Key(data, 174, Layout.KeyC);
        Entry(data, 206, 1, 500);                           // never read, though it would run past the end

        Layout.Decode(_decoder, data).Should().Be(("mint", BaseMintJson + ""","extensions":{}}"""));
    }

    [Fact]
    public void One_spare_byte_after_the_entries_is_ignored_whatever_it_holds()
    {
        byte[] entry = AccountWithOneEntry(7, 0);
        byte[] data = [.. entry, 0xFF];

        Layout.Decode(_decoder, data).Should().Be(("token_account", BaseAccountJson + Ext("immutable_owner", "{}")));
    }

    [Fact]
    public void Extensions_of_the_other_account_kind_are_decoded_as_found()
    {
        byte[] data = MintWithOneEntry(2, 8);               // TransferFeeAmount belongs on accounts
        Layout.U64(data, 170, 5);

        Layout.Decode(_decoder, data).Json.Should().EndWith(Ext("transfer_fee_amount", """{"withheld_amount":"5"}"""));
    }
}
