using System.Text.Json;
using AccountGrains.Gateway.Subscriptions;
using AccountGrains.Gateway.Tests.Support;
using Microsoft.Extensions.DependencyInjection;

namespace AccountGrains.Gateway.Tests;

/// <summary>The native /ws protocol over a real WebSocket against the embedded gateway.</summary>
public sealed class NativeSubscriptionTests : IAsyncLifetime
{
    private EmbeddedGateway _gateway = null!;

    public async Task InitializeAsync() => _gateway = await EmbeddedGateway.StartAsync();

    public async Task DisposeAsync() => await _gateway.DisposeAsync();

    [Fact]
    public async Task Subscribe_returns_the_snapshot_then_realtime_updates_in_slot_order()
    {
        var pubkey = Updates.NewPubkey();
        var account = _gateway.Grains.Get<IAccountGrain>(pubkey);
        await account.ApplyAndReportAsync(Updates.SystemAccount(pubkey, slot: 100, writeVersion: 1, lamports: 5_000));

        await using var socket = await _gateway.ConnectAsync();
        await socket.SendAsync($$"""{"action":"subscribe","pubkey":"{{pubkey}}","id":"s1"}""");
        var snapshot = await socket.ReceiveAsync();
        snapshot.GetProperty("type").GetString().Should().Be("account");
        snapshot.GetProperty("id").GetString().Should().Be("s1");
        snapshot.GetProperty("pubkey").GetString().Should().Be(pubkey);
        snapshot.GetProperty("source").GetString().Should().Be("cache");
        var state = snapshot.GetProperty("account");
        state.GetProperty("slot").GetUInt64().Should().Be(100);
        state.GetProperty("lamports").GetUInt64().Should().Be(5_000);
        state.GetProperty("account_type").GetString().Should().Be("system_account");
        state.GetProperty("owner").GetString().Should().Be(Updates.SystemProgram);
        state.GetProperty("data_json").ValueKind.Should().Be(JsonValueKind.Object);
        state.TryGetProperty("created_at", out _).Should().BeTrue();

        for (ulong slot = 101; slot <= 110; slot++)
        {
            await account.ApplyAndReportAsync(Updates.SystemAccount(pubkey, slot, writeVersion: slot * 10, lamports: slot * 1000));
        }

        var realtime = await socket.ReceiveUntilAsync(m => m.GetProperty("account").GetProperty("slot").GetUInt64() == 110);
        realtime.Should().OnlyContain(m => m.GetProperty("source").GetString() == "realtime");
        var slots = realtime.Select(m => m.GetProperty("account").GetProperty("slot").GetUInt64()).ToList();
        slots.Should().BeInAscendingOrder().And.OnlyHaveUniqueItems();
        realtime[^1].GetProperty("account").GetProperty("lamports").GetUInt64().Should().Be(110_000);
    }

    [Fact]
    public async Task Subscribing_to_an_account_nothing_is_known_about_returns_null_then_its_first_update()
    {
        var pubkey = Updates.NewPubkey();
        await using var socket = await _gateway.ConnectAsync();
        await socket.SendAsync($$"""{"action":"subscribe","pubkey":"{{pubkey}}"}""");
        var snapshot = await socket.ReceiveAsync();
        snapshot.GetProperty("account").ValueKind.Should().Be(JsonValueKind.Null);

        await _gateway.Grains.Get<IAccountGrain>(pubkey).ApplyAsync(Updates.SystemAccount(pubkey, 7, 7, 42));
        var update = await socket.ReceiveAsync();
        update.GetProperty("source").GetString().Should().Be("realtime");
        update.GetProperty("account").GetProperty("lamports").GetUInt64().Should().Be(42);
    }

    [Fact]
    public async Task A_subscriber_never_sees_an_account_go_backwards_when_updates_arrive_shuffled_and_duplicated()
    {
        var pubkey = Updates.NewPubkey();
        await using var socket = await _gateway.ConnectAsync();
        await socket.SendAsync($$"""{"action":"subscribe","pubkey":"{{pubkey}}"}""");
        await socket.ReceiveAsync();

        var random = new Random(1234);
        var updates = Enumerable.Range(1, 200)
            .Select(i => Updates.SystemAccount(pubkey, (ulong)(1000 + (i / 3)), (ulong)i, (ulong)i))
            .SelectMany(u => random.Next(4) == 0 ? new[] { u, u } : new[] { u })
            .OrderBy(_ => random.Next())
            .ToList();
        var account = _gateway.Grains.Get<IAccountGrain>(pubkey);
        foreach (var update in updates)
        {
            await account.ApplyAsync(update);
        }

        var messages = await socket.ReceiveUntilAsync(m => m.GetProperty("account").GetProperty("write_version").GetUInt64() == 200);
        var tokens = messages.Select(m => new StreamToken(
            m.GetProperty("account").GetProperty("slot").GetUInt64(),
            m.GetProperty("account").GetProperty("write_version").GetUInt64())).ToList();
        tokens.Should().BeInAscendingOrder().And.OnlyHaveUniqueItems();
        (await account.GetSnapshotAsync()).State!.WriteVersion.Should().Be(200);
    }

    [Fact]
    public async Task Unsubscribe_stops_updates_for_that_account()
    {
        var pubkey = Updates.NewPubkey();
        await using var socket = await _gateway.ConnectAsync();
        await socket.SendAsync($$"""{"action":"subscribe","pubkey":"{{pubkey}}"}""");
        await socket.ReceiveAsync();
        await socket.SendAsync($$"""{"action":"unsubscribe","pubkey":"{{pubkey}}","id":"u"}""");
        var reply = await socket.ReceiveAsync();
        reply.GetProperty("type").GetString().Should().Be("unsubscribed");
        reply.GetProperty("pubkey").GetString().Should().Be(pubkey);

        await _gateway.Grains.Get<IAccountGrain>(pubkey).ApplyAndReportAsync(Updates.SystemAccount(pubkey, 1, 1, 1));
        await socket.SendAsync("""{"action":"ping","id":"after"}""");
        var next = await socket.ReceiveAsync();
        next.GetProperty("type").GetString().Should().Be("pong", "no account update may arrive after unsubscribing");
    }

    [Fact]
    public async Task Many_sockets_on_one_account_share_one_stream_subscription()
    {
        var hub = _gateway.Services.GetRequiredService<AccountSubscriptionHub>();
        var pubkey = Updates.NewPubkey();
        var sockets = new List<TestSocket>();
        for (var i = 0; i < 3; i++)
        {
            var socket = await _gateway.ConnectAsync();
            sockets.Add(socket);
            await socket.SendAsync($$"""{"action":"subscribe","pubkey":"{{pubkey}}"}""");
            await socket.ReceiveAsync();
        }

        hub.TopicCount.Should().Be(1);
        await _gateway.Grains.Get<IAccountGrain>(pubkey).ApplyAsync(Updates.SystemAccount(pubkey, 9, 9, 99));
        foreach (var socket in sockets)
        {
            (await socket.ReceiveAsync()).GetProperty("account").GetProperty("lamports").GetUInt64().Should().Be(99);
        }

        foreach (var socket in sockets)
        {
            await socket.DisposeAsync();
        }

        await Waits.UntilAsync(() => hub.TopicCount == 0);
        hub.TopicCount.Should().Be(0, "the stream subscription ends with its last socket");
    }

    [Fact]
    public async Task Snapshot_after_a_restart_comes_from_the_database_then_from_the_cache()
    {
        var pubkey = Updates.NewPubkey();
        var database = Path.Combine(Path.GetTempPath(), $"accountgrains-restart-{Guid.NewGuid():N}.db");
        try
        {
            await using (var first = await EmbeddedGateway.StartAsync(databasePath: database))
            {
                await first.Grains.Get<IAccountGrain>(pubkey).ApplyAndReportAsync(Updates.SystemAccount(pubkey, 55, 5, 1234));
            }

            await using var second = await EmbeddedGateway.StartAsync(databasePath: database);
            await using var socket = await second.ConnectAsync();
            await socket.SendAsync($$"""{"action":"subscribe","pubkey":"{{pubkey}}"}""");
            var fromDisk = await socket.ReceiveAsync();
            fromDisk.GetProperty("source").GetString().Should().Be("database");
            fromDisk.GetProperty("account").GetProperty("lamports").GetUInt64().Should().Be(1234);
            fromDisk.GetProperty("account").GetProperty("slot").GetUInt64().Should().Be(55);

            await using var other = await second.ConnectAsync();
            await other.SendAsync($$"""{"action":"subscribe","pubkey":"{{pubkey}}"}""");
            (await other.ReceiveAsync()).GetProperty("source").GetString().Should().Be("cache");
        }
        finally
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            foreach (var file in Directory.GetFiles(Path.GetDirectoryName(database)!, Path.GetFileName(database) + "*"))
            {
                File.Delete(file);
            }
        }
    }
}
