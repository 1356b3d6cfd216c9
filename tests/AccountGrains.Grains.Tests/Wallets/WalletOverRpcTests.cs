using AccountGrains.Solana;
using AccountGrains.Testing.FakeRpc;
using AccountGrains.Testing.Transactions;

namespace AccountGrains.Grains.Tests.Wallets;

/// <summary>Wallet activity over Solana RPC: logsSubscribe names the transaction, getTransaction fetches it.</summary>
public sealed class WalletOverRpcTests
{
    private const ulong Sol = 1_000_000_000;

    [Fact]
    public async Task A_logs_notification_becomes_activity_once_the_node_serves_the_transaction()
    {
        await using var rpc = await FakeSolanaRpcServer.StartAsync();
        var wallet = TransactionBuilder.NewKey().ToString();
        var friend = TransactionBuilder.NewKey().ToString();
        rpc.Slot = 500;
        rpc.SetAccount(wallet, new FakeAccount(WellKnownPrograms.System.ToString(), 3 * Sol, []));
        await using var silo = await TestSilo.StartAsync(settings: new Dictionary<string, string?>
        {
            ["AccountGrains:Ingest:Source"] = "rpc",
            ["AccountGrains:Ingest:Rpc:WebSocketUrl"] = rpc.WebSocketAddress.ToString(),
            ["AccountGrains:Ingest:Rpc:RebuildDebounce"] = "00:00:00.010",
            ["AccountGrains:Rpc:Url"] = rpc.HttpAddress.ToString(),
        }, startIngest: true);
        var grain = silo.Grains.Get<IWalletGrain>(wallet);

        var tracked = await grain.TrackAsync(new WalletTrackRequest("bot", []));
        tracked.Lamports.Should().Be(3 * Sol, "the balance is read over RPC when tracking starts");
        await Waits.UntilAsync(() => rpc.AllSubscriptions().Any(s => s.Method == "logsSubscribe" && s.ParamsJson.Contains(wallet, StringComparison.Ordinal)), "logsSubscribe mentioning the wallet");

        // Notified before the node serves the transaction (it is not confirmed yet): asked again until it is.
        var signature = Base58.Encode(Enumerable.Range(0, 64).Select(i => (byte)(i + 1)).ToArray());
        rpc.PushLogs(signature, null, ["Program 11111111111111111111111111111111 invoke [1]"], wallet);
        rpc.PushLogs(signature, null, ["Program 11111111111111111111111111111111 invoke [1]"], wallet);
        await Waits.UntilAsync(() => rpc.RequestsFor("getTransaction").Count >= 2, "getTransaction asked again after a null answer");
        rpc.SetTransaction(new FakeTransaction(
            Slot: 501,
            Signatures: [signature],
            StaticAccountKeys: [friend, wallet, WellKnownPrograms.System.ToString()],
            BlockTime: 1_700_000_501,
            PreBalances: [10 * Sol, 3 * Sol, 1],
            PostBalances: [(6 * Sol) - 5000, 7 * Sol, 1]));

        await Waits.UntilAsync(async () => (await grain.GetAsync()).ActivityCount > 0, "the activity");
        var activity = (await grain.GetActivityAsync(new ActivityQuery(null, 10))).Should().ContainSingle("two notifications of one signature make one entry").Subject;
        activity.Should().BeEquivalentTo(new
        {
            Signature = signature,
            Slot = 501UL,
            BlockTime = (long?)1_700_000_501,
            Succeeded = true,
            SolChange = 4L * (long)Sol,
            Summary = $"{Pubkey.Parse(wallet).ToShortString()} received 4 SOL from {Pubkey.Parse(friend).ToShortString()}",
        }, o => o.ExcludingMissingMembers());
        (await grain.GetAsync()).Lamports.Should().Be(7 * Sol);
        rpc.RequestsFor("getTransaction").Select(r => r.ParamsJson).Should().OnlyContain(p => p.Contains("\"confirmed\"", StringComparison.Ordinal), "getTransaction serves confirmed and finalized only");
    }

    [Fact]
    public async Task Transactions_while_the_websocket_was_down_are_fetched_after_it_is_back()
    {
        await using var rpc = await FakeSolanaRpcServer.StartAsync();
        var wallet = TransactionBuilder.NewKey().ToString();
        var friend = TransactionBuilder.NewKey().ToString();
        rpc.Slot = 700;
        await using var silo = await TestSilo.StartAsync(settings: new Dictionary<string, string?>
        {
            ["AccountGrains:Ingest:Source"] = "rpc",
            ["AccountGrains:Ingest:Rpc:WebSocketUrl"] = rpc.WebSocketAddress.ToString(),
            ["AccountGrains:Ingest:Rpc:ReconnectInitialDelay"] = "00:00:00.050",
            ["AccountGrains:Ingest:Rpc:ReconnectMaxDelay"] = "00:00:00.200",
            ["AccountGrains:Rpc:Url"] = rpc.HttpAddress.ToString(),
        }, startIngest: true);
        var grain = silo.Grains.Get<IWalletGrain>(wallet);
        await grain.TrackAsync(new WalletTrackRequest("bot", []));
        await Waits.UntilAsync(() => rpc.AllSubscriptions().Any(s => s.Method == "logsSubscribe" && s.ParamsJson.Contains(wallet, StringComparison.Ordinal)), "logsSubscribe mentioning the wallet");

        // The socket goes down; meanwhile a transaction lands that no logs notification will ever announce.
        var now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        var old = Base58.Encode(Enumerable.Range(0, 64).Select(i => (byte)(i + 3)).ToArray());
        var missed = Base58.Encode(Enumerable.Range(0, 64).Select(i => (byte)(i + 2)).ToArray());
        rpc.SetTransaction(new FakeTransaction(
            Slot: 701,
            Signatures: [missed],
            StaticAccountKeys: [friend, wallet, WellKnownPrograms.System.ToString()],
            BlockTime: now,
            PreBalances: [10 * Sol, 0, 1],
            PostBalances: [(9 * Sol) - 5000, 1 * Sol, 1]));
        rpc.SetSignatures(wallet, [new FakeSignature(missed, 701, BlockTime: now), new FakeSignature(old, 600, BlockTime: now - 3_600)]);
        rpc.DropWebSocketConnections();

        await Waits.UntilAsync(async () => (await grain.GetAsync()).ActivityCount == 1, "the missed transaction, fetched after the reconnect");
        (await grain.GetActivityAsync(new ActivityQuery(null, 10))).Single().Signature.Should().Be(missed);
        rpc.RequestsFor("getTransaction").Should().NotContain(r => r.ParamsJson.Contains(old, StringComparison.Ordinal), "transactions from before the loss are not fetched again");
    }
}
