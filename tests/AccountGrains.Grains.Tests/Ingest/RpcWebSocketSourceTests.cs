using System.Runtime.CompilerServices;
using System.Text.Json.Nodes;

using AccountGrains.Grains.Ingest;
using AccountGrains.Grains.Ingest.Rpc;
using AccountGrains.Solana;
using AccountGrains.Testing.FakeRpc;

using Microsoft.Extensions.Options;

namespace AccountGrains.Grains.Tests.Ingest;

public sealed class RpcWebSocketSourceTests
{
    private static readonly string Owner = Keys.Base58(90);

    [Fact]
    public async Task Each_interest_kind_becomes_the_right_subscriptions_on_the_node()
    {
        await using var server = await FakeSolanaRpcServer.StartAsync();
        var account = Keys.Base58(1);
        var program = Keys.Base58(2);
        var mint = Keys.Base58(3);
        var wallet = Keys.Base58(4);
        await using var harness = new RpcWebSocketHarness(server);
        harness.Interest.Add(Interest.Account(account));
        harness.Interest.Add(Interest.Program(program, AccountFilter.OfDataSize(165), AccountFilter.Memcmp(0, mint)));
        harness.Interest.Add(Interest.Wallet(wallet));
        harness.Start();
        await harness.WaitForSubscriptionsAsync(6);

        var byConnection = server.Subscriptions();
        byConnection.Should().ContainSingle("six subscriptions fit on one connection");
        var subscriptions = byConnection.Single().Value;
        subscriptions.Select(s => (s.Method, s.Key)).Should().BeEquivalentTo(new[]
        {
            ("accountSubscribe", account),
            ("programSubscribe", program),
            ("accountSubscribe", wallet),
            ("programSubscribe", WellKnownPrograms.SplToken.ToString()),
            ("programSubscribe", WellKnownPrograms.Token2022.ToString()),
            ("logsSubscribe", wallet),
        });
        Filters(subscriptions.Single(s => s.Key == program)).Should().BeEquivalentTo("dataSize=165", $"memcmp=0:{mint}");
        Filters(subscriptions.Single(s => s.Key == WellKnownPrograms.SplToken.ToString())).Should().BeEquivalentTo("dataSize=165", $"memcmp=32:{wallet}");
        Filters(subscriptions.Single(s => s.Key == WellKnownPrograms.Token2022.ToString())).Should().Equal($"memcmp=32:{wallet}");
        subscriptions.Where(s => s.Method != "logsSubscribe").Should().OnlyContain(s => Config(s)["encoding"]!.GetValue<string>() == "base64");
        subscriptions.Should().OnlyContain(s => Config(s)["commitment"]!.GetValue<string>() == "confirmed");

        harness.Source.GetSubscriptions().Select(s => (s.InterestId, s.Kind, s.Target)).Should().BeEquivalentTo(new[]
        {
            (Interest.Account(account).Id, "account", account),
            (Interest.Program(program, AccountFilter.OfDataSize(165), AccountFilter.Memcmp(0, mint)).Id, "program", program),
            (Interest.Wallet(wallet).Id, "account", wallet),
            (Interest.Wallet(wallet).Id, "program", WellKnownPrograms.SplToken.ToString()),
            (Interest.Wallet(wallet).Id, "program", WellKnownPrograms.Token2022.ToString()),
            (Interest.Wallet(wallet).Id, "logs", wallet),
        });
        harness.Source.GetSubscriptions().Should().OnlyContain(s => s.Connection == 0 && s.Error == null);
        await harness.WaitUntilAsync(() => harness.Source.Upstream == "connected", "connected");
        harness.Source.Kind.Should().Be("rpc");
        server.HandlerErrors.Should().BeEmpty();
    }

    [Fact]
    public async Task Notifications_map_exactly_to_account_updates_and_later_ones_in_a_slot_carry_higher_write_versions()
    {
        await using var server = await FakeSolanaRpcServer.StartAsync();
        var account = Keys.Base58(1);
        var program = Keys.Base58(2);
        var programAccount = Keys.Base58(3);
        var wallet = Keys.Base58(4);
        await using var harness = new RpcWebSocketHarness(server);
        harness.Interest.Add(Interest.Account(account));
        harness.Interest.Add(Interest.Program(program, AccountFilter.OfDataSize(3)));
        harness.Interest.Add(Interest.Wallet(wallet));
        harness.Start();
        await harness.WaitForSubscriptionsAsync(6);

        server.Slot = 1_000;
        server.SetAccount(account, new FakeAccount(Owner, 5_000, [1, 2, 3], Executable: true, RentEpoch: 77));
        server.SetAccount(account, new FakeAccount(Owner, 6_000, [4, 5]));
        server.SetAccount(programAccount, new FakeAccount(program, 7_000, [9, 9, 9]));
        server.SetAccount(Keys.Base58(5), new FakeAccount(program, 1, [1])); // filtered out by dataSize 3
        server.PushLogs("sig", null, ["Program log: hi"], wallet);
        await harness.WaitForUpdatesAsync(3);

        var updates = harness.Updates.ToList();
        updates.Should().HaveCount(3);
        updates[0].Should().BeEquivalentTo(new
        {
            Pubkey = account,
            Owner,
            Lamports = 5_000UL,
            Data = new byte[] { 1, 2, 3 },
            Executable = true,
            RentEpoch = 77UL,
            Slot = 1_000UL,
            TxnSignature = (string?)null,
        });
        updates[1].Should().BeEquivalentTo(new { Pubkey = account, Owner, Lamports = 6_000UL, Data = new byte[] { 4, 5 }, Slot = 1_000UL });
        updates[2].Should().BeEquivalentTo(new { Pubkey = programAccount, Owner = program, Lamports = 7_000UL, Data = new byte[] { 9, 9, 9 }, Slot = 1_000UL });
        updates.Select(u => u.WriteVersion).Should().BeInAscendingOrder().And.OnlyHaveUniqueItems();
        updates[0].WriteVersion.Should().BeGreaterThan(0, "state re-read over RPC has write version 0 and must lose to a live notification");
        updates.Should().OnlyContain(u => u.ReceivedAt > DateTimeOffset.UtcNow.AddMinutes(-1));
        harness.Rejected.Should().BeEmpty();
        await harness.WaitUntilAsync(() => harness.Counted("accountgrains.ingest.upstream.messages", "logs") == 1, "the logs notification counted");
        harness.Counted("accountgrains.ingest.upstream.messages", "account").Should().Be(2);
        harness.Counted("accountgrains.ingest.upstream.messages", "program").Should().Be(1);
    }

    [Fact]
    public async Task Interest_beyond_the_budget_is_marked_failed_and_never_sent()
    {
        await using var server = await FakeSolanaRpcServer.StartAsync();
        await using var harness = new RpcWebSocketHarness(server, o =>
        {
            o.MaxConnections = 2;
            o.MaxSubscriptionsPerConnection = 3;
        });
        var accounts = Enumerable.Range(1, 8).Select(Keys.Base58).ToList();
        foreach (var account in accounts)
        {
            harness.Interest.Add(Interest.Account(account));
        }

        harness.Start();
        // The overflow is logged by the interest pass while the connections subscribe: wait for both.
        await harness.WaitUntilAsync(() => harness.Source.GetSubscriptions().Count(s => s.State == SubscriptionStates.Active) == 6
            && harness.Logger.Lines.Any(l => l.Contains(" 2304 ")), "6 active and the overflow logged");

        var statuses = harness.Source.GetSubscriptions();
        statuses.Should().HaveCount(8);
        statuses.Where(s => s.State == SubscriptionStates.Active).GroupBy(s => s.Connection).Select(g => (g.Key, g.Count()))
            .Should().BeEquivalentTo(new (int?, int)[] { (0, 3), (1, 3) });
        var failed = statuses.Where(s => s.State == SubscriptionStates.Failed).ToList();
        failed.Should().HaveCount(2);
        failed.Should().OnlyContain(s => s.Connection == null && s.Error!.Contains("over the subscription budget") && s.Error.Contains("MaxConnections"));
        server.Subscriptions().Values.Select(v => v.Count).Should().BeEquivalentTo([3, 3]);
        server.ActiveWebSocketConnections.Should().Be(2);
        harness.Logger.Lines.Count(l => l.Contains(" 2304 ")).Should().Be(1, "the overflow is logged once");

        // Room freed by removals goes to what did not fit, still within the budget.
        harness.Interest.Remove(Interest.Account(accounts[0]).Id);
        harness.Interest.Remove(Interest.Account(accounts[4]).Id);
        // The two removals may land in one pass or two; wait for the end state, not a count on the way there.
        var expected = accounts.Where((_, i) => i is not 0 and not 4).ToHashSet();
        await harness.WaitUntilAsync(() => server.AllSubscriptions().Select(s => s.Key!).ToHashSet().SetEquals(expected), "the two that did not fit took the freed room");
        server.Subscriptions().Values.Select(v => v.Count).Should().BeEquivalentTo([3, 3]);
        server.AllSubscriptions().Should().HaveCount(6);
        server.ActiveWebSocketConnections.Should().Be(2);
        harness.Source.Reconnects.Should().Be(0);
    }

    [Fact]
    public async Task Interest_changes_subscribe_and_unsubscribe_only_the_difference_on_the_open_connection()
    {
        await using var server = await FakeSolanaRpcServer.StartAsync();
        await using var harness = new RpcWebSocketHarness(server);
        harness.Interest.Add(Interest.Account(Keys.Base58(1)));
        harness.Interest.Add(Interest.Account(Keys.Base58(2)));
        harness.Start();
        await harness.WaitForSubscriptionsAsync(2);
        var before = server.Subscriptions().Single();
        var kept = before.Value.Single(s => s.Key == Keys.Base58(2));

        harness.Interest.Remove(Interest.Account(Keys.Base58(1)).Id);
        harness.Interest.Add(Interest.Account(Keys.Base58(3)));
        // The pass counts its rebuild after waking the connection, which may already be done: wait for both.
        await harness.WaitUntilAsync(() => server.AllSubscriptions().Select(s => s.Key).ToHashSet().SetEquals([Keys.Base58(2), Keys.Base58(3)])
            && harness.Counted("accountgrains.ingest.filter.rebuilds") >= 1, "node holds 2 and 3, the rebuild counted");
        await harness.WaitForSubscriptionsAsync(2);

        var after = server.Subscriptions().Single();
        after.Key.Should().Be(before.Key, "the same connection carries on");
        after.Value.Should().Contain(kept, "the kept subscription was not touched");
        harness.Source.Reconnects.Should().Be(0);
        harness.Source.GetSubscriptions().Select(s => s.Target).Should().BeEquivalentTo(Keys.Base58(2), Keys.Base58(3));

        server.SetAccount(Keys.Base58(1), new FakeAccount(Owner, 1, []));
        server.SetAccount(Keys.Base58(3), new FakeAccount(Owner, 3, []));
        await harness.WaitForUpdatesAsync(1);
        harness.Updates.Should().ContainSingle().Which.Pubkey.Should().Be(Keys.Base58(3));
    }

    [Fact]
    public async Task A_dropped_connection_is_reconnected_resubscribed_and_refilled_while_the_others_carry_on()
    {
        await using var server = await FakeSolanaRpcServer.StartAsync();
        var reader = new RecordingInterestReader(slot: 5);
        await using var harness = new RpcWebSocketHarness(server, o =>
        {
            o.MaxSubscriptionsPerConnection = 1;
            o.ReconnectInitialDelay = TimeSpan.FromMilliseconds(500); // long enough to see "disconnected"
            o.ReconnectMaxDelay = TimeSpan.FromSeconds(1);
        }, reader);
        var dropped = Keys.Base58(1);
        var other = Keys.Base58(2);
        harness.Interest.Add(Interest.Account(dropped));
        harness.Interest.Add(Interest.Account(other));
        harness.Start();
        await harness.WaitForSubscriptionsAsync(2);
        var connections = server.Subscriptions();
        var droppedConnection = connections.Single(c => c.Value.Any(s => s.Key == dropped)).Key;
        var otherConnection = connections.Single(c => c.Value.Any(s => s.Key == other)).Key;

        server.DropWebSocketConnection(droppedConnection).Should().BeTrue();
        // Seen together while the socket is down (at least ReconnectInitialDelay), not read one by one after it.
        await harness.WaitUntilAsync(() => Status(harness, dropped).State == SubscriptionStates.Disconnected
            && Status(harness, other).State == SubscriptionStates.Active
            && harness.Source.Upstream == "reconnecting", "dropped disconnected, other active, upstream reconnecting");

        await harness.WaitForSubscriptionsAsync(2);
        await harness.WaitUntilAsync(() => reader.Calls.Count == 1 && harness.Updates.Count == 1, "the refill");
        reader.Calls.Single().Select(i => i.Id).Should().Equal(Interest.Account(dropped).Id);
        harness.Updates.Single().Should().BeEquivalentTo(new { Pubkey = dropped, Slot = 5UL, WriteVersion = 0UL });
        harness.Source.Reconnects.Should().Be(1);
        harness.Source.Gaps.Should().Be(1);
        harness.Counted("accountgrains.ingest.reconnects").Should().Be(1);
        harness.Counted("accountgrains.ingest.gaps").Should().Be(1);
        await harness.WaitUntilAsync(() => harness.Source.Upstream == "connected", "connected");
        server.Subscriptions().Should().ContainKey(otherConnection, "the other connection was not touched");
        server.Subscriptions()[otherConnection].Should().ContainSingle(s => s.Key == other);

        server.SetAccount(dropped, new FakeAccount(Owner, 10, [1]));
        server.SetAccount(other, new FakeAccount(Owner, 20, [2]));
        await harness.WaitForUpdatesAsync(3);
        harness.Updates.Skip(1).Select(u => (u.Pubkey, u.Lamports)).Should().BeEquivalentTo(new[] { (dropped, 10UL), (other, 20UL) });
        // "Refilled" is logged once the reader is drained, after its last update was handed on.
        await harness.WaitUntilAsync(() => harness.Logger.Lines.Any(l => l.Contains(" 2308 ")), "the refill logged");
        harness.Logger.Lines.Should().Contain(l => l.Contains(" 2303 ")).And.Contain(l => l.Contains(" 2306 "));
    }

    [Fact]
    public async Task Without_a_reader_a_reconnect_logs_that_accounts_may_be_stale()
    {
        await using var server = await FakeSolanaRpcServer.StartAsync();
        await using var harness = new RpcWebSocketHarness(server);
        harness.Interest.Add(Interest.Account(Keys.Base58(1)));
        harness.Start();
        await harness.WaitForSubscriptionsAsync(1);

        server.DropWebSocketConnections();
        await harness.WaitUntilAsync(() => harness.Source.Reconnects >= 1 && harness.Logger.Lines.Any(l => l.Contains(" 2307 ")), "stale warning");
        await harness.WaitForSubscriptionsAsync(1);

        harness.Logger.Lines.Single(l => l.Contains(" 2307 ")).Should().Contain("may be stale");
        server.SetAccount(Keys.Base58(1), new FakeAccount(Owner, 1, []));
        await harness.WaitForUpdatesAsync(1);
    }

    [Fact]
    public async Task Garbage_frames_are_survived_without_a_reconnect()
    {
        await using var server = await FakeSolanaRpcServer.StartAsync();
        await using var harness = new RpcWebSocketHarness(server);
        harness.Interest.Add(Interest.Account(Keys.Base58(1)));
        harness.Start();
        await harness.WaitForSubscriptionsAsync(1);

        server.SendRawFrame("<html>502 Bad Gateway</html>");
        server.SendRawFrame("""{"jsonrpc":"2.0","method":"accountNotification","params":{"subscription":1}}""");
        server.SendRawFrame("""{"jsonrpc":"2.0","method":"accountNotification","params":{"subscription":999999,"result":{"context":{"slot":1},"value":{"lamports":1,"owner":"11111111111111111111111111111111","data":["","base64"],"executable":false,"rentEpoch":0,"space":0}}}}""");
        server.SetAccount(Keys.Base58(1), new FakeAccount(Owner, 42, [7]));
        await harness.WaitForUpdatesAsync(1);

        harness.Updates.Should().ContainSingle().Which.Lamports.Should().Be(42);
        harness.Source.Reconnects.Should().Be(0);
        harness.Logger.Lines.Count(l => l.Contains(" 6022 ")).Should().Be(2, "the client logs the two malformed frames it skipped");
        harness.Logger.Lines.Should().Contain(l => l.Contains(" 2312 ") && l.Contains("999999"));
        harness.Source.GetSubscriptions().Should().OnlyContain(s => s.State == SubscriptionStates.Active);
    }

    [Fact]
    public async Task A_subscription_the_node_refuses_fails_alone()
    {
        await using var server = await FakeSolanaRpcServer.StartAsync();
        var refused = Keys.Base58(2);
        server.RefuseSubscriptionsTo(refused, -32602, "Invalid params: program too large to subscribe");
        await using var harness = new RpcWebSocketHarness(server);
        harness.Interest.Add(Interest.Account(Keys.Base58(1)));
        harness.Interest.Add(Interest.Program(refused));
        harness.Interest.Add(Interest.Account(Keys.Base58(3)));
        harness.Start();
        // The refusal is logged just after it shows in the status: wait for both, the end state.
        await harness.WaitUntilAsync(() => harness.Source.GetSubscriptions().Count(s => s.State == SubscriptionStates.Active) == 2
            && Status(harness, refused).State == SubscriptionStates.Failed
            && harness.Logger.Lines.Any(l => l.Contains(" 2305 ")), "2 active, 1 failed and logged");

        Status(harness, refused).Error.Should().Contain("-32602").And.Contain("program too large to subscribe");
        Status(harness, refused).Connection.Should().Be(0);
        server.SetAccount(Keys.Base58(3), new FakeAccount(Owner, 3, []));
        await harness.WaitForUpdatesAsync(1);
        harness.Source.Reconnects.Should().Be(0);
        harness.Logger.Lines.Should().ContainSingle(l => l.Contains(" 2305 ") && l.Contains(refused));

        // Removing it clears the failure; the node is not asked again.
        harness.Interest.Remove(Interest.Program(refused).Id);
        await harness.WaitForSubscriptionsAsync(2);
    }

    [Fact]
    public async Task An_unanswered_subscribe_reconnects_and_subscribes_again_instead_of_failing_the_key()
    {
        await using var server = await FakeSolanaRpcServer.StartAsync();
        server.IgnorePubSubRequests = true;
        await using var harness = new RpcWebSocketHarness(server, o => o.RequestTimeout = TimeSpan.FromMilliseconds(500));
        harness.Interest.Add(Interest.Account(Keys.Base58(1)));
        harness.Start();
        await harness.WaitUntilAsync(() => harness.Logger.Lines.Any(l => l.Contains(" 2305 ") && l.Contains("reconnecting")), "the unanswered subscribe");

        server.IgnorePubSubRequests = false;
        await harness.WaitForSubscriptionsAsync(1);
        server.SetAccount(Keys.Base58(1), new FakeAccount(Owner, 7, []));
        await harness.WaitForUpdatesAsync(1);

        harness.Source.Reconnects.Should().BeGreaterThanOrEqualTo(1);
        harness.Source.GetSubscriptions().Should().OnlyContain(s => s.State == SubscriptionStates.Active);
    }

    [Fact]
    public async Task The_secret_in_the_url_never_reaches_logs_or_describe()
    {
        await using var server = await FakeSolanaRpcServer.StartAsync();
        const string secret = "sk-live-5ecr3t";
        var url = new Uri(server.WebSocketAddress, $"/{secret}/ws?api-key={secret}");
        server.RefuseSubscriptionsTo(Keys.Base58(2), -32602, "refused");
        server.MaxWebSocketConnections = 0; // the first attempts are refused with 429
        await using var harness = new RpcWebSocketHarness(server, o => o.WebSocketUrl = url);
        harness.Interest.Add(Interest.Account(Keys.Base58(1)));
        harness.Interest.Add(Interest.Account(Keys.Base58(2)));
        harness.Start();
        await harness.WaitUntilAsync(() => server.RefusedWebSocketConnections >= 2, "refused connections");
        server.MaxWebSocketConnections = null;
        await harness.WaitUntilAsync(() => Status(harness, Keys.Base58(1)).State == SubscriptionStates.Active, "active");
        server.DropWebSocketConnections();
        await harness.WaitUntilAsync(() => harness.Source.Reconnects >= 3 && Status(harness, Keys.Base58(1)).State == SubscriptionStates.Active, "reconnected");

        harness.Source.Describe.Should().Be($"rpc ws://127.0.0.1:{server.WebSocketAddress.Port} (confirmed)");
        harness.Logger.Lines.Should().NotBeEmpty();
        harness.Logger.Lines.Should().NotContain(l => l.Contains(secret) || l.Contains("api-key"));
        harness.Source.GetSubscriptions().Should().NotContain(s => s.Error != null && s.Error.Contains(secret));
    }

    [Theory]
    [InlineData("https://example.com/", "WebSocketUrl")]
    [InlineData("", "WebSocketUrl")]
    public void Options_outside_their_range_fail_naming_the_setting(string url, string setting)
    {
        var options = new RpcSourceOptions { WebSocketUrl = url.Length == 0 ? null : new Uri(url) };
        var result = Validate(options);
        result.Failed.Should().BeTrue();
        result.FailureMessage.Should().Contain($"AccountGrains:Ingest:Rpc:{setting}");
    }

    [Fact]
    public void Options_budgets_and_delays_are_checked_only_when_rpc_is_the_source()
    {
        var bad = new RpcSourceOptions
        {
            WebSocketUrl = new Uri("wss://example.com/?api-key=x"),
            MaxConnections = 0,
            MaxSubscriptionsPerConnection = -1,
            BufferSize = 0,
            ReconnectInitialDelay = TimeSpan.FromSeconds(5),
            ReconnectMaxDelay = TimeSpan.FromSeconds(1),
            RequestTimeout = TimeSpan.Zero,
        };
        var result = Validate(bad);
        result.Failures.Should().HaveCount(5);
        result.FailureMessage.Should().Contain("MaxConnections").And.Contain("MaxSubscriptionsPerConnection").And.Contain("BufferSize")
            .And.Contain("ReconnectMaxDelay").And.Contain("AccountGrains:Ingest:Rpc:RequestTimeout");
        Validate(new RpcSourceOptions { WebSocketUrl = new Uri("wss://example.com/") }).Succeeded.Should().BeTrue();
        new RpcSourceOptionsValidator(Options.Create(new IngestOptions())).Validate(null, bad).Skipped.Should().BeTrue();
    }

    private static ValidateOptionsResult Validate(RpcSourceOptions options) =>
        new RpcSourceOptionsValidator(Options.Create(new IngestOptions { Source = IngestOptions.Rpc })).Validate(null, options);

    private static SubscriptionStatus Status(RpcWebSocketHarness harness, string target) =>
        harness.Source.GetSubscriptions().Single(s => s.Target == target);

    private static JsonObject Config(FakeSubscription subscription) => JsonNode.Parse(subscription.ParamsJson)!.AsArray()[1]!.AsObject();

    private static List<string> Filters(FakeSubscription subscription) =>
        [.. Config(subscription)["filters"]!.AsArray().Select(f => f!["dataSize"] is { } size
            ? $"dataSize={size}"
            : $"memcmp={f["memcmp"]!["offset"]}:{f["memcmp"]!["bytes"]}")];

    /// <summary>Answers every interest entry with one account at <paramref name="slot"/> (write version 0, as RPC reads are).</summary>
    private sealed class RecordingInterestReader(ulong slot) : IInterestReader
    {
        public List<IReadOnlyList<Interest>> Calls { get; } = [];

        public string Describe => "test reader";

        public async IAsyncEnumerable<AccountUpdate> ReadAsync(IReadOnlyList<Interest> interest, [EnumeratorCancellation] CancellationToken cancellationToken)
        {
            lock (Calls)
            {
                Calls.Add(interest);
            }

            await Task.Yield();
            foreach (var entry in interest)
            {
                yield return new AccountUpdate(entry.Key, Owner, 9, [], false, 0, slot, 0, null, DateTimeOffset.UtcNow);
            }
        }
    }
}
