using System.Diagnostics;

using AccountGrains.Solana.Rpc;
using AccountGrains.Testing.FakeRpc;

namespace AccountGrains.Solana.Tests.Rpc;

public sealed class SolanaPubSubClientTests : IAsyncLifetime
{
    private readonly CapturingLogger _logger = new();
    private FakeSolanaRpcServer _server = null!;
    private SolanaPubSubClient _client = null!;

    public async Task InitializeAsync()
    {
        _server = await FakeSolanaRpcServer.StartAsync();
        _client = await SolanaPubSubClient.ConnectAsync(_server.WebSocketAddress, logger: _logger).OrHang();
    }

    public async Task DisposeAsync()
    {
        await _client.DisposeAsync();
        await _server.DisposeAsync();
    }

    [Fact]
    public async Task All_four_kinds_subscribe_and_their_notifications_are_decoded()
    {
        string account = Keys.New();
        string program = Keys.New();
        string wallet = Keys.New();
        ulong accountSub = await _client.AccountSubscribeAsync(account, RpcCommitment.Confirmed).OrHang();
        ulong programSub = await _client.ProgramSubscribeAsync(program).OrHang();
        ulong logsSub = await _client.LogsSubscribeAsync(wallet).OrHang();
        ulong slotSub = await _client.SlotSubscribeAsync().OrHang();
        new[] { accountSub, programSub, logsSub, slotSub }.Should().OnlyHaveUniqueItems();
        _server.AllSubscriptions().Select(s => s.Method).Should().BeEquivalentTo("accountSubscribe", "programSubscribe", "logsSubscribe", "slotSubscribe");
        _server.AllSubscriptions().Single(s => s.Method == "accountSubscribe").ParamsJson
            .Should().Be($$"""["{{account}}",{"commitment":"confirmed","encoding":"base64"}]""");

        _server.Slot = 500;
        _server.SetAccount(account, new FakeAccount(program, ulong.MaxValue, [7, 8, 9], RentEpoch: ulong.MaxValue));
        string signature = Keys.Signature();
        _server.PushLogs(signature, """{"InstructionError":[0,"Custom"]}""", ["Program log: a", "Program log: b"], wallet);
        _server.PushSlot(501, 500, 468);

        var account1 = (AccountNotification)await Next();
        account1.Should().BeEquivalentTo(new { SubscriptionId = accountSub, Slot = 500UL });
        account1.Account.Should().BeEquivalentTo(new RpcAccount(program, ulong.MaxValue, [7, 8, 9], false, ulong.MaxValue));
        var program1 = (ProgramNotification)await Next();
        program1.SubscriptionId.Should().Be(programSub);
        program1.Account.Pubkey.Should().Be(account);
        program1.Account.Account.Data.Should().Equal(7, 8, 9);
        var logs = (LogsNotification)await Next();
        logs.Should().BeEquivalentTo(new { SubscriptionId = logsSub, Slot = 500UL, Signature = signature, Error = """{"InstructionError":[0,"Custom"]}""" });
        logs.Logs.Should().Equal("Program log: a", "Program log: b");
        (await Next()).Should().Be(new SlotNotification(slotSub, 501, 500, 468));
    }

    [Fact]
    public async Task Program_filters_select_the_accounts_notified()
    {
        string program = Keys.New();
        string owner = Keys.New();
        ulong sub = await _client.ProgramSubscribeAsync(program, [new RpcFilter.DataSize(40), new RpcFilter.Memcmp(8, owner)]).OrHang();
        _server.AllSubscriptions().Single().ParamsJson.Should().Contain("\"filters\":[{\"dataSize\":40},{\"memcmp\":{\"offset\":8,\"bytes\":\"" + owner + "\"}}]");

        string wrongSize = Keys.New();
        string wrongBytes = Keys.New();
        string match = Keys.New();
        _server.SetAccount(wrongSize, new FakeAccount(program, 1, [.. new byte[8], .. Pubkey.Parse(owner).ToArray(), 0]));
        _server.SetAccount(wrongBytes, new FakeAccount(program, 2, [.. new byte[8], .. Pubkey.Parse(Keys.New()).ToArray()]));
        _server.SetAccount(match, new FakeAccount(program, 3, [.. new byte[8], .. Pubkey.Parse(owner).ToArray()]));

        var notification = (ProgramNotification)await Next();
        notification.SubscriptionId.Should().Be(sub);
        notification.Account.Pubkey.Should().Be(match);
        _client.Notifications.TryRead(out _).Should().BeFalse();
    }

    [Fact]
    public async Task Unsubscribe_stops_the_notifications()
    {
        string account = Keys.New();
        ulong accountSub = await _client.AccountSubscribeAsync(account).OrHang();
        ulong slotSub = await _client.SlotSubscribeAsync().OrHang();

        (await _client.UnsubscribeAsync(PubSubKind.Account, accountSub).OrHang()).Should().BeTrue();
        _server.SetAccount(account, new FakeAccount(Keys.New(), 1, []));
        _server.PushSlot(10);

        (await Next()).Should().BeOfType<SlotNotification>("the account update came first but is no longer subscribed")
            .Which.SubscriptionId.Should().Be(slotSub);
        _server.AllSubscriptions().Should().ContainSingle().Which.Method.Should().Be("slotSubscribe");
    }

    [Fact]
    public async Task A_JSON_RPC_error_reply_is_a_SolanaRpcException()
    {
        Func<Task> act = () => _client.UnsubscribeAsync(PubSubKind.Logs, 424242);

        SolanaRpcException ex = (await act.Should().ThrowAsync<SolanaRpcException>()).Which;
        ex.Code.Should().Be(-32602);
        ex.Method.Should().Be("logsUnsubscribe");
        ex.RpcMessage.Should().Be("Invalid subscription id.");
    }

    [Fact]
    public async Task Garbage_frames_are_counted_and_survived()
    {
        ulong slotSub = await _client.SlotSubscribeAsync().OrHang();

        _server.SendRawFrame("this is not json {");
        _server.SendRawFrame("""{"jsonrpc":"2.0","method":"bogusNotification","params":{"subscription":1,"result":{}}}""");
        _server.SendRawFrame("""{"jsonrpc":"2.0","method":"slotNotification","params":{"subscription":1}}""");
        _server.SendRawFrame("[]");
        _server.PushSlot(77);

        (await Next()).Should().Be(new SlotNotification(slotSub, 77, 76, 45));
        _client.MalformedMessageCount.Should().Be(4);
        _client.Completion.IsCompleted.Should().BeFalse();
        _logger.Lines.Count(l => l.Contains(" 6022 ", StringComparison.Ordinal)).Should().Be(4);
        (await _client.SlotSubscribeAsync().OrHang()).Should().NotBe(slotSub, "the connection still answers requests");
    }

    [Fact]
    public async Task A_dropped_connection_faults_Completion_and_completes_Notifications()
    {
        await _client.SlotSubscribeAsync().OrHang();

        _server.DropWebSocketConnections();

        Func<Task> completion = () => _client.Completion.OrHang();
        await completion.Should().ThrowAsync<Exception>();
        await _client.Notifications.Completion.OrHang();
        Func<Task> request = () => _client.SlotSubscribeAsync();
        await request.Should().ThrowAsync<IOException>();
        _logger.Lines.Should().Contain(l => l.Contains(" 6021 ", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Disposing_completes_Completion_without_an_error()
    {
        await _client.SlotSubscribeAsync().OrHang();

        await _client.DisposeAsync();

        await _client.Completion.OrHang();
        await _client.Notifications.Completion.OrHang();
        await Eventually(() => _server.ActiveWebSocketConnections == 0);
    }

    [Fact]
    public async Task Concurrent_subscribes_each_get_their_own_reply()
    {
        var keys = Enumerable.Range(0, 25).Select(_ => Keys.New()).ToList();

        ulong[] ids = await Task.WhenAll(keys.Select(k => _client.AccountSubscribeAsync(k))).OrHang();

        ids.Should().OnlyHaveUniqueItems();
        IReadOnlyList<FakeSubscription> subscriptions = _server.AllSubscriptions();
        for (int i = 0; i < keys.Count; i++)
        {
            subscriptions.Single(s => s.Id == ids[i]).Key.Should().Be(keys[i]);
        }
    }

    [Fact]
    public async Task A_request_with_no_reply_times_out_clearly()
    {
        await using SolanaPubSubClient client = await SolanaPubSubClient.ConnectAsync(
            _server.WebSocketAddress, new SolanaPubSubOptions { RequestTimeout = TimeSpan.FromMilliseconds(300) }).OrHang();
        _server.IgnorePubSubRequests = true;

        Func<Task> act = () => client.SlotSubscribeAsync();

        SolanaPubSubTimeoutException ex = (await act.Should().ThrowAsync<SolanaPubSubTimeoutException>()).Which;
        ex.Method.Should().Be("slotSubscribe");
        ex.Should().BeAssignableTo<TimeoutException>();
        ex.Message.Should().Contain("slotSubscribe");
    }

    [Fact]
    public async Task Connections_past_the_servers_limit_are_refused()
    {
        _server.MaxWebSocketConnections = 1;

        Func<Task> act = () => SolanaPubSubClient.ConnectAsync(_server.WebSocketAddress);

        await act.Should().ThrowAsync<System.Net.WebSockets.WebSocketException>();
        _server.RefusedWebSocketConnections.Should().Be(1);
        _server.ActiveWebSocketConnections.Should().Be(1);
    }

    [Fact]
    public void Options_validator_names_each_bad_setting()
    {
        var result = new SolanaPubSubOptionsValidator().Validate(null, new SolanaPubSubOptions
        {
            RequestTimeout = TimeSpan.Zero,
            NotificationCapacity = 0,
            KeepAliveInterval = TimeSpan.FromSeconds(-1),
        });

        result.FailureMessage.Should().Contain("RequestTimeout").And.Contain("NotificationCapacity").And.Contain("KeepAliveInterval");
    }

    private async Task<PubSubNotification> Next()
    {
        using var timeout = new CancellationTokenSource(Waits.Generous);
        return await _client.Notifications.ReadAsync(timeout.Token);
    }

    private static async Task Eventually(Func<bool> condition)
    {
        var watch = Stopwatch.StartNew();
        while (!condition())
        {
            if (watch.Elapsed > Waits.Generous)
            {
                throw new TimeoutException("condition not met");
            }

            await Task.Delay(10);
        }
    }
}
