using System.Text.Json;
using System.Text.Json.Nodes;
using AccountGrains.Solana.Rpc;
using AccountGrains.Solana.Transactions;
using Geyser;
using Google.Protobuf;

using AccountGrains.Testing.Transactions;

namespace AccountGrains.Solana.Tests.Transactions;

public sealed class TransactionFactsTests
{
    private static readonly Pubkey Mint = TransactionBuilder.NewKey();

    [Fact]
    public void Both_sources_give_the_same_facts_with_loaded_addresses_after_the_static_keys()
    {
        TransactionBuilder tx = Versioned(out Pubkey[] keys);

        TransactionFacts yellowstone = tx.Facts(TransactionSource.Yellowstone);
        TransactionFacts rpc = tx.Facts(TransactionSource.Rpc);

        foreach (TransactionFacts facts in new[] { yellowstone, rpc })
        {
            facts.Signature.Should().Be(tx.SignatureText);
            facts.Slot.Should().Be(345_678);
            facts.BlockTime.Should().Be(1_700_000_000);
            facts.Succeeded.Should().BeTrue();
            facts.Error.Should().BeNull();
            facts.Fee.Should().Be(5000);
            facts.FeePayer.Should().Be(keys[0]);
            facts.AccountKeys.Should().Equal(keys);
            facts.PreBalances.Should().Equal(10, 20, 30, 40, 0);
            facts.PostBalances.Should().Equal(11, 21, 31, 41, 0);
            facts.PreTokenBalances.Should().Equal(new TokenBalanceFact(3, Mint, keys[0], WellKnownPrograms.Token2022, 7, 2));
            facts.PostTokenBalances.Should().Equal(new TokenBalanceFact(3, Mint, keys[0], WellKnownPrograms.Token2022, ulong.MaxValue, 2));
        }
    }

    [Fact]
    public void Facts_from_the_rpc_clients_record_match_facts_from_the_json()
    {
        TransactionBuilder tx = Versioned(out Pubkey[] keys);
        var record = new RpcTransaction(
            345_678, 1_700_000_000, [tx.SignatureText], keys.Select(k => k.ToString()).ToList(), 5000, """{"InstructionError":[0,"InvalidArgument"]}""",
            [10, 20, 30, 40, 0], [11, 21, 31, 41, 0], [], [], []);

        TransactionFacts facts = TransactionFacts.FromRpc(record);

        facts.AccountKeys.Should().Equal(keys);
        facts.Error.Should().Be("instruction 0: InvalidArgument");
        facts.Succeeded.Should().BeFalse();
    }

    [Fact]
    public void A_yellowstone_update_without_meta_is_rejected()
    {
        SubscribeUpdateTransaction update = Versioned(out _).ToYellowstone();
        update.Transaction.Meta = null;

        Rejected(update).Which.Message.Should().Contain("has no meta");
    }

    [Fact]
    public void A_yellowstone_update_whose_balances_do_not_cover_the_loaded_keys_is_rejected()
    {
        SubscribeUpdateTransaction update = Versioned(out _).ToYellowstone();
        update.Transaction.Meta.PostBalances.RemoveAt(4);

        Rejected(update).Which.Message.Should().Contain("has 4 post balances for 5 account keys");
    }

    [Fact]
    public void A_yellowstone_key_that_is_not_32_bytes_is_rejected()
    {
        SubscribeUpdateTransaction update = Versioned(out _).ToYellowstone();
        update.Transaction.Meta.LoadedReadonlyAddresses[0] = ByteString.CopyFrom(new byte[31]);

        Rejected(update).Which.Message.Should().Contain("loaded readonly address 0 is 31 bytes; a key is 32 bytes");
    }

    [Fact]
    public void A_yellowstone_signature_that_is_not_64_bytes_is_rejected()
    {
        SubscribeUpdateTransaction update = Versioned(out _).ToYellowstone();
        update.Transaction.Signature = ByteString.CopyFrom(new byte[63]);

        Rejected(update).Which.Message.Should().Contain("63-byte signature");
    }

    [Fact]
    public void A_token_balance_pointing_past_the_keys_is_rejected()
    {
        SubscribeUpdateTransaction update = Versioned(out _).ToYellowstone();
        update.Transaction.Meta.PreTokenBalances[0].AccountIndex = 5;

        Rejected(update).Which.Message.Should().Contain("account index 5, but there are 5 account keys");
    }

    [Fact]
    public void A_yellowstone_token_balance_with_impossible_decimals_is_rejected()
    {
        SubscribeUpdateTransaction update = Versioned(out _).ToYellowstone();
        update.Transaction.Meta.PostTokenBalances[0].UiTokenAmount.Decimals = 300;

        Rejected(update).Which.Message.Should().Contain("post token balance 0 has 300 decimals; a mint has 0 to 255");
    }

    [Fact]
    public void A_yellowstone_update_without_the_transaction_is_rejected()
    {
        SubscribeUpdateTransaction update = Versioned(out _).ToYellowstone();
        update.Transaction.Transaction = null;

        Rejected(update).Which.Message.Should().Contain("has no message");
    }

    [Theory]
    [InlineData("meta", null, "has no meta")]
    [InlineData("preBalances", "[1,2]", "has 2 pre balances for 5 account keys")]
    [InlineData("preBalances", "\"1\"", "preBalances")]
    [InlineData("fee", "-1", "fee")]
    [InlineData("amount", "\"-1\"", "amount '-1'")]
    [InlineData("amount", "\"1.5\"", "amount '1.5'")]
    [InlineData("amount", "\"18446744073709551616\"", "amount '18446744073709551616'")]
    [InlineData("mint", "\"not-a-key\"", "pre token balance 0 mint: pubkey 'not-a-key' is not valid base58")]
    [InlineData("signatures", "[]", "no signatures")]
    public void A_malformed_rpc_result_is_rejected_with_what_is_wrong(string member, string? json, string expected)
    {
        JsonObject result = JsonNode.Parse(Versioned(out _).ToRpcJson())!.AsObject();
        JsonObject meta = result["meta"]!.AsObject();
        JsonObject token = meta["preTokenBalances"]![0]!.AsObject();
        JsonNode? value = json is null ? null : JsonNode.Parse(json);
        switch (member)
        {
            case "meta":
                result.Remove("meta");
                break;
            case "amount":
                token["uiTokenAmount"]!["amount"] = value;
                break;
            case "mint":
                token["mint"] = value;
                break;
            case "signatures":
                result["transaction"]!["signatures"] = value;
                break;
            default:
                meta[member] = value;
                break;
        }

        Action read = () => TransactionFacts.FromRpc(JsonDocument.Parse(result.ToJsonString()).RootElement);

        read.Should().Throw<MalformedTransactionException>().Which.Message.Should().Contain(expected);
    }

    [Fact]
    public void A_null_rpc_result_is_rejected()
    {
        Action read = () => TransactionFacts.FromRpc(JsonDocument.Parse("null").RootElement);

        read.Should().Throw<MalformedTransactionException>().WithMessage("*is an object, not Null*");
    }

    [Fact]
    public void Token_balances_without_owner_or_program_are_kept_with_null()
    {
        SubscribeUpdateTransaction update = Versioned(out _).ToYellowstone();
        update.Transaction.Meta.PreTokenBalances[0].Owner = string.Empty;
        update.Transaction.Meta.PreTokenBalances[0].ProgramId = string.Empty;

        TokenBalanceFact balance = TransactionFacts.FromYellowstone(update).PreTokenBalances.Single();

        balance.Owner.Should().BeNull();
        balance.ProgramId.Should().BeNull();
    }

    [Theory]
    [InlineData(new byte[] { 4, 0, 0, 0 }, "\"InsufficientFundsForFee\"", "InsufficientFundsForFee")]
    [InlineData(new byte[] { 8, 0, 0, 0, 2, 1, 0, 0, 0 }, "{\"InstructionError\":[2,\"InvalidArgument\"]}", "instruction 2: InvalidArgument")]
    [InlineData(new byte[] { 8, 0, 0, 0, 0, 25, 0, 0, 0, 1, 0, 0, 0 }, "{\"InstructionError\":[0,{\"Custom\":1}]}", "instruction 0: custom program error 0x1")]
    [InlineData(new byte[] { 30, 0, 0, 0, 3 }, "{\"DuplicateInstruction\":3}", "DuplicateInstruction (instruction 3)")]
    [InlineData(new byte[] { 31, 0, 0, 0, 2 }, "{\"InsufficientFundsForRent\":{\"account_index\":2}}", "InsufficientFundsForRent (account 2)")]
    public void Errors_read_the_same_from_bincode_and_json(byte[] bincode, string json, string expected)
    {
        var tx = new TransactionBuilder { Error = (bincode, json) };
        tx.Key(TransactionBuilder.NewKey(), 10, 5);
        tx.Unchanged(WellKnownPrograms.System);

        tx.Facts(TransactionSource.Yellowstone).Error.Should().Be(expected);
        tx.Facts(TransactionSource.Rpc).Error.Should().Be(expected);
    }

    [Fact]
    public void An_error_the_reader_does_not_know_is_shown_raw()
    {
        var tx = new TransactionBuilder { Error = ([200, 0, 0, 0], """{"SomethingNew":{"x":1}}""") };
        tx.Key(TransactionBuilder.NewKey(), 10, 5);

        tx.Facts(TransactionSource.Yellowstone).Error.Should().Be("unrecognised error (bincode C8000000)");
        tx.Facts(TransactionSource.Rpc).Error.Should().Be("""{"SomethingNew":{"x":1}}""");
    }

    private static TransactionBuilder Versioned(out Pubkey[] keys)
    {
        keys = [.. Enumerable.Range(0, 5).Select(_ => TransactionBuilder.NewKey())];
        var tx = new TransactionBuilder();
        tx.Key(keys[0], 10, 11);
        tx.Key(keys[1], 20, 21);
        tx.LoadedWritable(keys[2], 30, 31);
        tx.LoadedWritable(keys[3], 40, 41);
        tx.LoadedReadonly(keys[4], 0);
        tx.Token(3, Mint, keys[0], 7, ulong.MaxValue, 2, WellKnownPrograms.Token2022);
        return tx;
    }

    private static FluentAssertions.Specialized.ExceptionAssertions<MalformedTransactionException> Rejected(SubscribeUpdateTransaction update)
    {
        Action read = () => TransactionFacts.FromYellowstone(update);
        return read.Should().Throw<MalformedTransactionException>();
    }
}
