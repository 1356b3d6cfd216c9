using System.Buffers.Binary;

using AccountGrains.Grains.Rpc;
using AccountGrains.Solana;
using AccountGrains.Solana.Rpc;
using AccountGrains.Testing.FakeRpc;

using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace AccountGrains.Grains.Tests.Rpc;

public sealed class RpcReadTests
{
    private static readonly string TokenProgram = WellKnownPrograms.SplToken.ToString();
    private static readonly string Token2022Program = WellKnownPrograms.Token2022.ToString();

    /// <summary>An initialized SPL token account (165 bytes).</summary>
    internal static byte[] TokenAccount(string mint, string owner, ulong amount)
    {
        var data = new byte[165];
        Base58.Decode(mint).CopyTo(data, 0);
        Base58.Decode(owner).CopyTo(data, 32);
        BinaryPrimitives.WriteUInt64LittleEndian(data.AsSpan(64), amount);
        data[108] = 1;
        return data;
    }

    [Fact]
    public async Task The_interest_reader_reads_accounts_programs_with_filters_and_wallet_token_accounts_at_the_nodes_slot()
    {
        await using var rpc = await FakeSolanaRpcServer.StartAsync();
        rpc.Slot = 9_000;
        var account = Base58.Encode(Ingest.Keys.Bytes(1));
        var gone = Base58.Encode(Ingest.Keys.Bytes(2));
        var wallet = Base58.Encode(Ingest.Keys.Bytes(3));
        var mint = Base58.Encode(Ingest.Keys.Bytes(4));
        var program = Base58.Encode(Ingest.Keys.Bytes(5));
        rpc.SetAccount(account, new FakeAccount(TokenProgram, 7, [1, 2]));
        rpc.SetAccount(wallet, new FakeAccount("11111111111111111111111111111111", 1_000_000_000, []));
        rpc.SetAccount("A1" + account[2..], new FakeAccount(TokenProgram, 2_039_280, TokenAccount(mint, wallet, 5)));
        rpc.SetAccount("A2" + account[2..], new FakeAccount(Token2022Program, 2_039_280, TokenAccount(mint, wallet, 6)));
        rpc.SetAccount("A3" + account[2..], new FakeAccount(TokenProgram, 2_039_280, TokenAccount(mint, account, 7)));
        rpc.SetAccount("B1" + account[2..], new FakeAccount(program, 1, new byte[10]));
        rpc.SetAccount("B2" + account[2..], new FakeAccount(program, 1, new byte[11]));
        using var client = new SolanaRpcClient(rpc.HttpAddress);
        var reader = new RpcInterestReader(client, Options.Create(new RpcEndpointOptions { Url = rpc.HttpAddress }), NullLogger<RpcInterestReader>.Instance);

        var updates = new List<AccountUpdate>();
        await foreach (var update in reader.ReadAsync(
            [Interest.Account(account), Interest.Account(gone), Interest.Wallet(wallet), Interest.Program(program, AccountFilter.OfDataSize(10))], default))
        {
            updates.Add(update);
        }

        updates.Select(u => (u.Pubkey, u.Owner, u.Lamports)).Should().BeEquivalentTo(new[]
        {
            (account, TokenProgram, 7UL),
            (gone, "11111111111111111111111111111111", 0UL), // not there any more: a closed account
            (wallet, "11111111111111111111111111111111", 1_000_000_000UL),
            ("A1" + account[2..], TokenProgram, 2_039_280UL),
            ("A2" + account[2..], Token2022Program, 2_039_280UL),
            ("B1" + account[2..], program, 1UL),
        });
        updates.Should().OnlyContain(u => u.Slot == 9_000 && u.WriteVersion == 0);
        updates.Single(u => u.Pubkey == account).Data.Should().Equal(1, 2);
        rpc.RequestsFor("getMultipleAccounts").Should().ContainSingle();
        rpc.RequestsFor("getTokenAccountsByOwner").Should().HaveCount(2);
        rpc.RequestsFor("getProgramAccounts").Single().ParamsJson.Should().Contain("\"dataSize\":10");
    }

    [Fact]
    public async Task An_interest_entry_that_fails_is_skipped_and_the_rest_still_read()
    {
        await using var rpc = await FakeSolanaRpcServer.StartAsync();
        var program = Base58.Encode(Ingest.Keys.Bytes(5));
        var account = Base58.Encode(Ingest.Keys.Bytes(1));
        rpc.SetAccount(account, new FakeAccount(TokenProgram, 7, []));
        rpc.SetAccount("B1" + account[2..], new FakeAccount(program, 1, new byte[10]));
        using var client = new SolanaRpcClient(rpc.HttpAddress, new SolanaRpcOptions { MaxRetries = 0 });
        var reader = new RpcInterestReader(client, Options.Create(new RpcEndpointOptions { Url = rpc.HttpAddress }), NullLogger<RpcInterestReader>.Instance);
        rpc.FailNext(FakeFailure.RpcError(-32010, "excluded from account secondary indexes; this RPC method unavailable for key"));

        var updates = new List<AccountUpdate>();
        await foreach (var update in reader.ReadAsync([Interest.Program(program), Interest.Account(account)], default))
        {
            updates.Add(update);
        }

        // The accounts request goes first and is the one that failed; the program is still read.
        updates.Select(u => u.Pubkey).Should().Equal("B1" + account[2..]);
    }

    [Fact]
    public async Task Grains_read_before_any_update_hydrate_from_rpc_in_batches()
    {
        await using var rpc = await FakeSolanaRpcServer.StartAsync();
        rpc.Slot = 777;
        var mint = Base58.Encode(Ingest.Keys.Bytes(40));
        var keys = Enumerable.Range(100, 30).Select(i => Base58.Encode(Ingest.Keys.Bytes(i))).ToList();
        foreach (var key in keys)
        {
            rpc.SetAccount(key, new FakeAccount(TokenProgram, 2_039_280, TokenAccount(mint, keys[0], 42)));
        }

        await using var silo = await TestSilo.StartAsync(settings: new Dictionary<string, string?>
        {
            ["AccountGrains:Rpc:Url"] = rpc.HttpAddress + "?api-key=do-not-log",
            ["AccountGrains:Rpc:HydrationLinger"] = "00:00:00.050",
        });

        var snapshots = await Task.WhenAll(keys.Select(k => silo.Grains.Get<IAccountGrain>(k).GetSnapshotAsync()));
        var missing = await silo.Grains.Get<IAccountGrain>(Base58.Encode(Ingest.Keys.Bytes(99))).GetSnapshotAsync();
        var again = await silo.Grains.Get<IAccountGrain>(Base58.Encode(Ingest.Keys.Bytes(99))).GetSnapshotAsync();

        snapshots.Should().OnlyContain(s => s.State != null && s.State.Slot == 777 && s.State.Decoded.AccountType == "token_account");
        snapshots.Select(s => s.State!.Pubkey).Should().Equal(keys);
        rpc.RequestsFor("getMultipleAccounts").Count.Should().BeLessThan(10, "30 concurrent reads share batched requests");
        missing.State.Should().BeNull("the node has no such account");
        again.State.Should().BeNull();
        rpc.RequestsFor("getMultipleAccounts").Count(r => r.ParamsJson.Contains(Base58.Encode(Ingest.Keys.Bytes(99)), StringComparison.Ordinal))
            .Should().Be(1, "a grain RPC had nothing for does not ask again at once");
        ((AccountHydrator)silo.Services.GetRequiredService<SolanaRpcAccess>().Hydrator).Batches.Should().BeLessThan(10);
    }

    [Fact]
    public async Task An_update_that_arrives_first_makes_hydration_unnecessary()
    {
        await using var rpc = await FakeSolanaRpcServer.StartAsync();
        await using var silo = await TestSilo.StartAsync(settings: new Dictionary<string, string?> { ["AccountGrains:Rpc:Url"] = rpc.HttpAddress.ToString() });
        var key = Base58.Encode(Ingest.Keys.Bytes(7));
        var grain = silo.Grains.Get<IAccountGrain>(key);

        await grain.ApplyAndReportAsync(new AccountUpdate(key, "11111111111111111111111111111111", 5, [], false, 0, 10, 1, null, DateTimeOffset.UtcNow));
        var snapshot = await grain.GetSnapshotAsync();

        snapshot.State!.Lamports.Should().Be(5);
        rpc.RequestsFor("getMultipleAccounts").Should().BeEmpty();
    }
}
