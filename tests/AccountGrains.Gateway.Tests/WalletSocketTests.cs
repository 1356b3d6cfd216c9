using System.Text.Json;
using AccountGrains.Gateway.Subscriptions;
using AccountGrains.Gateway.Tests.Support;
using Microsoft.Extensions.DependencyInjection;

namespace AccountGrains.Gateway.Tests;

/// <summary>Wallet actions and pushes of the native /ws protocol over a real WebSocket against the embedded gateway.</summary>
public sealed class WalletSocketTests : IAsyncLifetime
{
    private EmbeddedGateway _gateway = null!;

    // The empty replay has ended: the upstream is down, so a tracked wallet is "disconnected". At most 2 wallets.
    public async Task InitializeAsync() => _gateway = await TestWallets.StartIdleAsync();

    public async Task DisposeAsync() => await _gateway.DisposeAsync();

    [Fact]
    public async Task Track_replies_with_the_wallet_and_list_shows_it_with_its_trackers_and_status()
    {
        var address = Updates.NewPubkey();
        await using var socket = await _gateway.ConnectAsync();

        var reply = await socket.RequestAsync(
            $$"""{"action":"track","address":"{{address}}","sinks":[{"kind":"webhook","url":"https://hooks.example/a","secret":"s3cret"}],"id":"t1"}""", "t1");

        reply.GetProperty("type").GetString().Should().Be("wallet");
        var wallet = reply.GetProperty("wallet");
        wallet.GetProperty("address").GetString().Should().Be(address);
        wallet.GetProperty("status").GetString().Should().Be("disconnected", "the replay has ended, so the upstream is down");
        wallet.Trackers().Should().Equal("ws");
        wallet.GetProperty("lamports").ValueKind.Should().Be(JsonValueKind.Null);
        wallet.GetProperty("sol").ValueKind.Should().Be(JsonValueKind.Null);
        wallet.GetProperty("holdings").GetArrayLength().Should().Be(0);
        var sink = wallet.GetProperty("sinks").EnumerateArray().Should().ContainSingle().Subject;
        sink.GetProperty("kind").GetString().Should().Be("webhook");
        sink.GetProperty("url").GetString().Should().Be("https://hooks.example:443", "views show scheme, host and port of a sink URL, never its path or query");
        sink.GetProperty("has_secret").GetBoolean().Should().BeTrue();
        sink.ToString().Should().NotContain("s3cret");
        wallet.GetProperty("activity_count").GetInt64().Should().Be(0);
        wallet.GetProperty("tracked_since").GetDateTimeOffset().Should().BeAfter(DateTimeOffset.UtcNow.AddMinutes(-5));

        var list = await socket.RequestAsync("""{"action":"list","id":"l1"}""", "l1");
        list.GetProperty("type").GetString().Should().Be("wallets");
        var listed = list.GetProperty("wallets").EnumerateArray().Should().ContainSingle(w => w.GetProperty("address").GetString() == address).Subject;
        listed.GetProperty("status").GetString().Should().Be("disconnected");
        listed.Trackers().Should().Equal("ws");
    }

    [Fact]
    public async Task A_wallet_tracked_while_the_upstream_runs_is_active()
    {
        await using var running = await EmbeddedGateway.StartAsync(replayPath: await TestWallets.LongReplayAsync(), updatesPerSecond: 1);
        await using var socket = await running.ConnectAsync();

        var reply = await socket.RequestAsync($$"""{"action":"track","address":"{{Updates.NewPubkey()}}","id":"t"}""", "t");

        reply.GetProperty("wallet").GetProperty("status").GetString().Should().Be("active");
    }

    [Fact]
    public async Task Two_trackers_then_untracking_one_keeps_the_wallet_tracked_by_the_other()
    {
        var address = Updates.NewPubkey();
        await using var socket = await _gateway.ConnectAsync();
        await socket.RequestAsync($$"""{"action":"track","address":"{{address}}","tracker":"alice","id":"a"}""", "a");
        var both = await socket.RequestAsync($$"""{"action":"track","address":"{{address}}","tracker":"bob","id":"b"}""", "b");
        both.GetProperty("wallet").Trackers().Should().BeEquivalentTo("alice", "bob");

        var one = await socket.RequestAsync($$"""{"action":"untrack","address":"{{address}}","tracker":"alice","id":"u1"}""", "u1");
        one.GetProperty("type").GetString().Should().Be("wallet");
        one.GetProperty("wallet").Trackers().Should().Equal("bob");
        one.GetProperty("wallet").GetProperty("status").GetString().Should().Be("disconnected");

        var none = await socket.RequestAsync($$"""{"action":"untrack","address":"{{address}}","tracker":"bob","id":"u2"}""", "u2");
        none.GetProperty("wallet").Trackers().Should().BeEmpty();
        none.GetProperty("wallet").GetProperty("status").GetString().Should().Be("untracked");
        none.GetProperty("wallet").GetProperty("tracked_since").ValueKind.Should().Be(JsonValueKind.Null);

        var list = await socket.RequestAsync("""{"action":"list","id":"l"}""", "l");
        list.GetProperty("wallets").EnumerateArray().Should().NotContain(w => w.GetProperty("address").GetString() == address);
    }

    [Theory]
    [InlineData("\"0OIl0OIl0OIl0OIl0OIl0OIl0OIl0OIl\"", "not valid base58")]
    [InlineData("\"abc\"", "decodes to 3 bytes; a pubkey is 32 bytes")]
    [InlineData("42", "must be a base58 string")]
    public async Task Invalid_addresses_get_a_clear_error_and_the_socket_stays_usable(string address, string reason)
    {
        await using var socket = await _gateway.ConnectAsync();
        foreach (var action in new[] { "track", "untrack", "subscribe_wallet", "unsubscribe_wallet" })
        {
            var error = await socket.RequestAsync($$"""{"action":"{{action}}","address":{{address}},"id":"{{action}}"}""", action);
            error.GetProperty("error").GetProperty("code").GetString().Should().Be("invalid_address", action);
            error.GetProperty("error").GetProperty("message").GetString().Should().Contain(reason, action);
        }

        var missing = await socket.RequestAsync("""{"action":"track","id":"m"}""", "m");
        missing.GetProperty("error").GetProperty("code").GetString().Should().Be("invalid_address");
        missing.GetProperty("error").GetProperty("message").GetString().Should().Contain("needs an \"address\"");
        await socket.ShouldStillAnswerAsync();
    }

    [Fact]
    public async Task An_invalid_sink_or_tracker_is_an_invalid_request_and_tracks_nothing()
    {
        var address = Updates.NewPubkey();
        await using var socket = await _gateway.ConnectAsync();

        var kind = await socket.RequestAsync($$"""{"action":"track","address":"{{address}}","sinks":[{"kind":"email","url":"https://x.example"}],"id":"k"}""", "k");
        kind.GetProperty("error").GetProperty("code").GetString().Should().Be("invalid_request");
        kind.GetProperty("error").GetProperty("message").GetString().Should().Contain("sink kind 'email' is not known");

        var shape = await socket.RequestAsync($$"""{"action":"track","address":"{{address}}","sinks":{"kind":"webhook"},"id":"s"}""", "s");
        shape.GetProperty("error").GetProperty("code").GetString().Should().Be("invalid_request");

        var tracker = await socket.RequestAsync($$"""{"action":"track","address":"{{address}}","tracker":"*","id":"t"}""", "t");
        tracker.GetProperty("error").GetProperty("code").GetString().Should().Be("invalid_request");
        tracker.GetProperty("error").GetProperty("message").GetString().Should().Contain("tracker must be a non-empty name");

        (await _gateway.Grains.Get<IWalletGrain>(address).GetAsync()).IsTracked.Should().BeFalse();
        await socket.ShouldStillAnswerAsync();
    }

    [Fact]
    public async Task Activity_reaches_a_tracking_socket_and_a_following_one_with_every_field()
    {
        var address = Updates.NewPubkey();
        await using var tracking = await _gateway.ConnectAsync();
        await using var following = await _gateway.ConnectAsync();
        await tracking.RequestAsync($$"""{"action":"track","address":"{{address}}","id":"t"}""", "t");
        var followed = await following.RequestAsync($$"""{"action":"subscribe_wallet","address":"{{address}}","id":"f"}""", "f");
        followed.GetProperty("type").GetString().Should().Be("wallet");
        followed.GetProperty("wallet").Trackers().Should().Equal("ws");

        var activity = WalletActivities.Received(address, slot: 77, lamports: 1_500_000_000);
        await TestWallets.ApplyAsync(_gateway.Grains, activity, expectedCount: 1);

        foreach (var socket in new[] { tracking, following })
        {
            var push = (await socket.ReceiveUntilAsync(m => m.GetProperty("type").GetString() == "wallet_activity"))[^1];
            push.GetProperty("address").GetString().Should().Be(address);
            push.GetProperty("sequence").GetInt64().Should().BePositive();
            var entry = push.GetProperty("activity");
            entry.GetProperty("signature").GetString().Should().Be(activity.Signature);
            entry.GetProperty("slot").GetUInt64().Should().Be(77);
            entry.GetProperty("block_time").GetInt64().Should().Be(1_700_000_077);
            entry.GetProperty("succeeded").GetBoolean().Should().BeTrue();
            entry.GetProperty("error").ValueKind.Should().Be(JsonValueKind.Null);
            entry.GetProperty("fee").GetUInt64().Should().Be(5000);
            entry.GetProperty("paid_fee").GetBoolean().Should().BeFalse();
            entry.GetProperty("sol_change").GetInt64().Should().Be(1_500_000_000);
            entry.GetProperty("sol_transferred").GetInt64().Should().Be(1_500_000_000);
            var token = entry.GetProperty("token_changes").EnumerateArray().Should().ContainSingle().Subject;
            token.GetProperty("mint").GetString().Should().Be(WalletActivities.UsdcMint);
            token.GetProperty("program").GetString().Should().Be("spl-token");
            token.GetProperty("raw_change").GetString().Should().Be("1500000");
            token.GetProperty("decimals").GetInt32().Should().Be(6);
            token.GetProperty("amount").GetString().Should().Be("1.5");
            token.GetProperty("accounts_created").GetInt32().Should().Be(1);
            token.GetProperty("accounts_closed").GetInt32().Should().Be(0);
            var counterparty = entry.GetProperty("counterparties").EnumerateArray().Should().ContainSingle().Subject;
            counterparty.GetProperty("mint").ValueKind.Should().Be(JsonValueKind.Null);
            counterparty.GetProperty("raw_change").GetString().Should().Be("-1500000000");
            entry.GetProperty("summary").GetString().Should().Be(activity.Summary);
        }
    }

    [Fact]
    public async Task Activity_pushes_are_never_conflated_and_arrive_in_sequence_order()
    {
        var address = Updates.NewPubkey();
        await using var socket = await _gateway.ConnectAsync();
        await socket.RequestAsync($$"""{"action":"track","address":"{{address}}","id":"t"}""", "t");
        var wallet = _gateway.Grains.Get<IWalletGrain>(address);
        var signatures = new List<string>();
        for (ulong slot = 1; slot <= 40; slot++)
        {
            var activity = WalletActivities.Received(address, slot, (long)slot);
            signatures.Add(activity.Signature);
            await wallet.ApplyActivityAsync(activity);
        }

        var messages = await socket.ReceiveUntilAsync(m => m.TryGetProperty("activity", out var a) && a.GetProperty("signature").GetString() == signatures[^1]);
        var activities = messages.Where(m => m.GetProperty("type").GetString() == "wallet_activity").ToList();
        activities.Select(m => m.GetProperty("activity").GetProperty("signature").GetString()).Should().Equal(signatures);
        messages.Where(m => m.TryGetProperty("sequence", out _)).Select(m => m.GetProperty("sequence").GetInt64()).Should().BeInAscendingOrder().And.OnlyHaveUniqueItems();
    }

    [Fact]
    public async Task After_untrack_the_socket_gets_no_more_activity_of_the_wallet()
    {
        var address = Updates.NewPubkey();
        await using var socket = await _gateway.ConnectAsync();
        await socket.RequestAsync($$"""{"action":"track","address":"{{address}}","id":"t"}""", "t");
        await TestWallets.ApplyAsync(_gateway.Grains, WalletActivities.Received(address, 1, 10), expectedCount: 1);
        await socket.ReceiveUntilAsync(m => m.GetProperty("type").GetString() == "wallet_activity");

        var untracked = await socket.RequestAsync($$"""{"action":"untrack","address":"{{address}}","id":"u"}""", "u");
        untracked.GetProperty("wallet").GetProperty("status").GetString().Should().Be("untracked");
        untracked.GetProperty("wallet").GetProperty("activity_count").GetInt64().Should().Be(1);
        await using var follower = await _gateway.ConnectAsync();
        await follower.RequestAsync($$"""{"action":"subscribe_wallet","address":"{{address}}","id":"f"}""", "f");

        var wallet = _gateway.Grains.Get<IWalletGrain>(address);
        await wallet.ApplyActivityAsync(WalletActivities.Received(address, 2, 20));
        (await wallet.GetAsync()).ActivityCount.Should().Be(1, "an untracked wallet records no activity");
        foreach (var client in new[] { socket, follower })
        {
            await client.SendAsync("""{"action":"ping","id":"after"}""");
            var next = await client.ReceiveUntilAsync(m => m.TryGetProperty("id", out var i) && i.GetString() == "after");
            next.Should().NotContain(m => m.GetProperty("type").GetString() == "wallet_activity");
        }
    }

    [Fact]
    public async Task Unsubscribe_wallet_ends_the_pushes_and_a_second_one_is_not_subscribed()
    {
        var address = Updates.NewPubkey();
        await using var socket = await _gateway.ConnectAsync();
        await socket.RequestAsync($$"""{"action":"track","address":"{{address}}","tracker":"api-like","id":"t"}""", "t");
        var reply = await socket.RequestAsync($$"""{"action":"unsubscribe_wallet","address":"{{address}}","id":"u"}""", "u");
        reply.GetProperty("type").GetString().Should().Be("wallet_unsubscribed");
        reply.GetProperty("address").GetString().Should().Be(address);

        await TestWallets.ApplyAsync(_gateway.Grains, WalletActivities.Received(address, 5, 50), expectedCount: 1);
        var again = await socket.RequestAsync($$"""{"action":"unsubscribe_wallet","address":"{{address}}","id":"u2"}""", "u2");
        again.GetProperty("error").GetProperty("code").GetString().Should().Be("not_subscribed");
        (await socket.RequestAsync("""{"action":"ping","id":"p"}""", "p")).GetProperty("type").GetString().Should().Be("pong");
        var tracked = await _gateway.Grains.Get<IWalletGrain>(address).GetAsync();
        tracked.Trackers.Should().Equal("api-like");
        tracked.ActivityCount.Should().Be(1, "the wallet stays tracked; only the socket stopped following it");
    }

    [Fact]
    public async Task Many_sockets_on_one_wallet_share_one_stream_subscription()
    {
        var hub = _gateway.Services.GetRequiredService<WalletSubscriptionHub>();
        var address = Updates.NewPubkey();
        var sockets = new List<TestSocket>();
        for (var i = 0; i < 3; i++)
        {
            var socket = await _gateway.ConnectAsync();
            sockets.Add(socket);
            await socket.RequestAsync($$"""{"action":"subscribe_wallet","address":"{{address}}","id":"s"}""", "s");
        }

        hub.TopicCount.Should().Be(1);
        foreach (var socket in sockets)
        {
            await socket.DisposeAsync();
        }

        await Waits.UntilAsync(() => hub.TopicCount == 0, "the wallet's stream subscription to end");
    }

    [Fact]
    public async Task Past_the_cap_track_is_refused_with_wallet_limit_and_the_socket_stays_usable()
    {
        await using var socket = await _gateway.ConnectAsync();
        for (var i = 0; i < 2; i++)
        {
            var ok = await socket.RequestAsync($$"""{"action":"track","address":"{{Updates.NewPubkey()}}","id":"t{{i}}"}""", $"t{i}");
            ok.GetProperty("type").GetString().Should().Be("wallet");
        }

        var refused = await socket.RequestAsync($$"""{"action":"track","address":"{{Updates.NewPubkey()}}","id":"over"}""", "over");
        refused.GetProperty("error").GetProperty("code").GetString().Should().Be("wallet_limit");
        refused.GetProperty("error").GetProperty("message").GetString().Should().Contain("AccountGrains:Wallets:MaxTracked");
        await socket.ShouldStillAnswerAsync();
    }
}
