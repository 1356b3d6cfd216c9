using System.Text.Json;

using AccountGrains.Solana.Rpc;
using AccountGrains.Testing.FakeRpc;

namespace AccountGrains.Solana.Tests.Rpc;

public sealed class SolanaRpcClientTests : IAsyncLifetime
{
    private FakeSolanaRpcServer _server = null!;
    private SolanaRpcClient _client = null!;

    public async Task InitializeAsync()
    {
        _server = await FakeSolanaRpcServer.StartAsync();
        _client = new SolanaRpcClient(_server.HttpAddress);
    }

    public async Task DisposeAsync()
    {
        _client.Dispose();
        await _server.DisposeAsync();
    }

    [Fact]
    public async Task GetAccountInfo_returns_the_account_with_exact_u64_values()
    {
        string key = Keys.New();
        string owner = Keys.New();
        _server.Slot = 312_000_123;
        _server.SetAccount(key, new FakeAccount(owner, ulong.MaxValue - 1, [1, 2, 3, 255], Executable: true, RentEpoch: ulong.MaxValue));

        RpcResult<RpcAccount?> result = await _client.GetAccountInfoAsync(key, RpcCommitment.Confirmed).OrHang();

        result.ContextSlot.Should().Be(312_000_123);
        result.Value.Should().NotBeNull();
        result.Value!.Owner.Should().Be(owner);
        result.Value.Lamports.Should().Be(ulong.MaxValue - 1);
        result.Value.RentEpoch.Should().Be(ulong.MaxValue);
        result.Value.Executable.Should().BeTrue();
        result.Value.Data.Should().Equal(1, 2, 3, 255);
        JsonDocument.Parse(_server.RequestsFor("getAccountInfo").Single().ParamsJson).RootElement[1].GetRawText()
            .Should().Be("""{"commitment":"confirmed","encoding":"base64"}""");
    }

    [Fact]
    public async Task GetAccountInfo_of_a_missing_account_is_null()
    {
        RpcResult<RpcAccount?> result = await _client.GetAccountInfoAsync(Keys.New()).OrHang();

        result.Value.Should().BeNull();
        _server.RequestsFor("getAccountInfo").Single().ParamsJson.Should().NotContain("commitment", "Default leaves the commitment to the server");
    }

    [Fact]
    public async Task GetMultipleAccounts_sends_250_keys_as_batches_of_100_100_50_and_keeps_the_input_order()
    {
        var keys = Enumerable.Range(0, 250).Select(_ => Keys.New()).ToList();
        string owner = Keys.New();
        for (int i = 0; i < keys.Count; i += 3)
        {
            _server.SetAccount(keys[i], new FakeAccount(owner, (ulong)i + 1, BitConverter.GetBytes(i)));
        }

        RpcResult<IReadOnlyList<RpcAccount?>> result = await _client.GetMultipleAccountsAsync(keys).OrHang();

        _server.RequestsFor("getMultipleAccounts")
            .Select(r => JsonDocument.Parse(r.ParamsJson).RootElement[0].GetArrayLength())
            .Order()
            .Should().Equal(50, 100, 100);
        result.ContextSlot.Should().Be(_server.Slot);
        result.Value.Should().HaveCount(250);
        for (int i = 0; i < keys.Count; i++)
        {
            if (i % 3 == 0)
            {
                result.Value[i]!.Lamports.Should().Be((ulong)i + 1);
                BitConverter.ToInt32(result.Value[i]!.Data).Should().Be(i);
            }
            else
            {
                result.Value[i].Should().BeNull();
            }
        }
    }

    [Fact]
    public async Task GetMultipleAccounts_honours_a_smaller_batch_size()
    {
        using var client = new SolanaRpcClient(_server.HttpAddress, new SolanaRpcOptions { MaxAccountsPerRequest = 7, MaxConcurrentRequests = 1 });
        var keys = Enumerable.Range(0, 20).Select(_ => Keys.New()).ToList();

        RpcResult<IReadOnlyList<RpcAccount?>> result = await client.GetMultipleAccountsAsync(keys).OrHang();

        result.Value.Should().HaveCount(20);
        _server.RequestsFor("getMultipleAccounts").Select(r => JsonDocument.Parse(r.ParamsJson).RootElement[0].GetArrayLength())
            .Should().Equal(7, 7, 6);
    }

    [Fact]
    public async Task GetProgramAccounts_applies_dataSize_and_memcmp_filters()
    {
        string program = Keys.New();
        string wanted = Keys.New();
        string match = Keys.New();
        _server.SetAccount(match, new FakeAccount(program, 10, [.. Pubkey.Parse(wanted).ToArray(), 9, 9]));
        _server.SetAccount(Keys.New(), new FakeAccount(program, 11, [.. Pubkey.Parse(Keys.New()).ToArray(), 9, 9]));
        _server.SetAccount(Keys.New(), new FakeAccount(program, 12, Pubkey.Parse(wanted).ToArray()));
        _server.SetAccount(Keys.New(), new FakeAccount(Keys.New(), 13, [.. Pubkey.Parse(wanted).ToArray(), 9, 9]));

        RpcResult<IReadOnlyList<RpcKeyedAccount>> all = await _client.GetProgramAccountsAsync(program).OrHang();
        RpcResult<IReadOnlyList<RpcKeyedAccount>> filtered = await _client.GetProgramAccountsAsync(
            program, [new RpcFilter.DataSize(34), new RpcFilter.Memcmp(0, wanted)]).OrHang();

        all.Value.Should().HaveCount(3);
        all.ContextSlot.Should().Be(_server.Slot);
        filtered.Value.Should().ContainSingle().Which.Pubkey.Should().Be(match);
        filtered.Value[0].Account.Lamports.Should().Be(10);
        _server.RequestsFor("getProgramAccounts")[^1].ParamsJson.Should().Contain("\"withContext\":true")
            .And.Contain("\"memcmp\":{\"offset\":0,\"bytes\":\"" + wanted + "\"}");
    }

    [Fact]
    public async Task GetTokenAccountsByOwner_returns_the_owners_accounts_of_that_token_program()
    {
        string owner = Keys.New();
        string mint = Keys.New();
        string mine = Keys.New();
        string mine2022 = Keys.New();
        string spl = WellKnownPrograms.SplToken.ToString();
        _server.SetAccount(mine, new FakeAccount(spl, 2_039_280, Keys.TokenAccount(mint, owner, 42)));
        _server.SetAccount(mine2022, new FakeAccount(WellKnownPrograms.Token2022.ToString(), 2_039_280, Keys.TokenAccount(mint, owner, 43)));
        _server.SetAccount(Keys.New(), new FakeAccount(spl, 2_039_280, Keys.TokenAccount(mint, Keys.New(), 44)));

        RpcResult<IReadOnlyList<RpcKeyedAccount>> result = await _client.GetTokenAccountsByOwnerAsync(owner, spl).OrHang();

        result.Value.Should().ContainSingle().Which.Pubkey.Should().Be(mine);
        BitConverter.ToUInt64(result.Value[0].Account.Data.AsSpan(64)).Should().Be(42);
        _server.RequestsFor("getTokenAccountsByOwner").Single().ParamsJson.Should().Contain($"{{\"programId\":\"{spl}\"}}");
    }

    [Fact]
    public async Task GetBalance_and_GetSlot_read_the_node()
    {
        string key = Keys.New();
        _server.SetAccount(key, new FakeAccount(Keys.New(), 9_007_199_254_740_993, []));
        _server.Slot = 400_000_001;

        (await _client.GetBalanceAsync(key).OrHang()).Should().Be(new RpcResult<ulong>(400_000_001, 9_007_199_254_740_993));
        (await _client.GetBalanceAsync(Keys.New()).OrHang()).Value.Should().Be(0);
        (await _client.GetSlotAsync(RpcCommitment.Processed).OrHang()).Should().Be(400_000_001);
        _server.RequestsFor("getSlot").Single().ParamsJson.Should().Be("""[{"commitment":"processed"}]""");
    }

    [Fact]
    public async Task GetSignaturesForAddress_pages_with_before_and_limit()
    {
        string address = Keys.New();
        var signatures = Enumerable.Range(0, 5).Select(i => new FakeSignature(
            Keys.Signature(), 1000 - (ulong)i, ErrorJson: i == 1 ? """{"InstructionError":[0,{"Custom":1}]}""" : null,
            Memo: i == 2 ? "hello" : null, BlockTime: 1_700_000_000 - i)).ToList();
        _server.SetSignatures(address, signatures);

        IReadOnlyList<RpcSignatureInfo> first = await _client.GetSignaturesForAddressAsync(address, limit: 2).OrHang();
        IReadOnlyList<RpcSignatureInfo> next = await _client.GetSignaturesForAddressAsync(address, limit: 2, before: first[^1].Signature).OrHang();

        first.Select(s => s.Signature).Should().Equal(signatures[0].Signature, signatures[1].Signature);
        first[0].Should().Be(new RpcSignatureInfo(signatures[0].Signature, 1000, false, null, 1_700_000_000, "finalized"));
        first[1].Failed.Should().BeTrue();
        next.Select(s => s.Signature).Should().Equal(signatures[2].Signature, signatures[3].Signature);
        next[0].Memo.Should().Be("hello");
    }

    [Fact]
    public async Task GetTransaction_reads_keys_balances_token_balances_and_logs()
    {
        string signature = Keys.Signature();
        string[] keys = [Keys.New(), Keys.New()];
        string[] writable = [Keys.New()];
        string[] readOnly = [Keys.New()];
        string mint = Keys.New();
        _server.SetTransaction(new FakeTransaction(
            Slot: 999,
            Signatures: [signature],
            StaticAccountKeys: keys,
            Fee: 5000,
            ErrorJson: """{"InstructionError":[1,"InvalidArgument"]}""",
            BlockTime: 1_700_000_123,
            LoadedWritable: writable,
            LoadedReadonly: readOnly,
            PreBalances: [ulong.MaxValue, 2, 3, 4],
            PostBalances: [ulong.MaxValue - 5000, 2, 3, 4],
            PreTokenBalances: [new FakeTokenBalance(2, mint, keys[0], WellKnownPrograms.SplToken.ToString(), "18446744073709551615", 6)],
            PostTokenBalances: [new FakeTokenBalance(2, mint, keys[0], WellKnownPrograms.SplToken.ToString(), "1000000", 6)],
            LogMessages: ["Program log: hi"]));

        RpcTransaction? tx = await _client.GetTransactionAsync(signature).OrHang();

        tx.Should().NotBeNull();
        tx!.Slot.Should().Be(999);
        tx.BlockTime.Should().Be(1_700_000_123);
        tx.Signatures.Should().Equal(signature);
        tx.AccountKeys.Should().Equal(keys[0], keys[1], writable[0], readOnly[0]);
        tx.Fee.Should().Be(5000);
        tx.Failed.Should().BeTrue();
        JsonDocument.Parse(tx.Error!).RootElement.GetProperty("InstructionError")[1].GetString().Should().Be("InvalidArgument");
        tx.PreBalances.Should().Equal(ulong.MaxValue, 2, 3, 4);
        tx.PostBalances[0].Should().Be(ulong.MaxValue - 5000);
        tx.PreTokenBalances.Should().Equal(new RpcTokenBalance(2, mint, keys[0], WellKnownPrograms.SplToken.ToString(), "18446744073709551615", 6));
        tx.PostTokenBalances[0].Amount.Should().Be("1000000");
        tx.LogMessages.Should().Equal("Program log: hi");
        _server.RequestsFor("getTransaction").Single().ParamsJson.Should().Contain("\"encoding\":\"json\"").And.Contain("\"maxSupportedTransactionVersion\":0");
        (await _client.GetTransactionAsync(Keys.Signature()).OrHang()).Should().BeNull();
    }

    [Fact]
    public async Task A_bad_pubkey_is_an_ArgumentException_that_says_why()
    {
        Func<Task> act = () => _client.GetAccountInfoAsync("not-base58-0OIl");
        (await act.Should().ThrowAsync<ArgumentException>()).Which.Message.Should().Contain("pubkey").And.Contain("base58");

        Func<Task> batch = () => _client.GetMultipleAccountsAsync([Keys.New(), "abc"]);
        (await batch.Should().ThrowAsync<ArgumentException>()).Which.Message.Should().Contain("pubkeys[1]");
        _server.Requests.Should().BeEmpty();
    }

    [Fact]
    public void Options_validator_names_each_bad_setting()
    {
        var options = new SolanaRpcOptions { MaxRetries = -1, InitialBackoff = TimeSpan.Zero, MaxAccountsPerRequest = 0, MaxConcurrentRequests = 0, RequestTimeout = TimeSpan.FromSeconds(-1) };

        var result = new SolanaRpcOptionsValidator().Validate(null, options);

        result.Failed.Should().BeTrue();
        result.FailureMessage.Should().Contain("MaxRetries").And.Contain("InitialBackoff").And.Contain("MaxAccountsPerRequest")
            .And.Contain("MaxConcurrentRequests").And.Contain("RequestTimeout");
        Action create = () => new SolanaRpcClient(_server.HttpAddress, options).Dispose();
        create.Should().Throw<ArgumentException>().WithMessage("*MaxRetries*");
        new SolanaRpcOptionsValidator().Validate(null, new SolanaRpcOptions()).Succeeded.Should().BeTrue();
    }
}
