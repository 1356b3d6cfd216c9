using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

using AccountGrains.Gateway.Tests.Support;
using AccountGrains.Solana;
using AccountGrains.Testing.FakeRpc;
using AccountGrains.Testing.FakeYellowstone;

namespace AccountGrains.Gateway.Tests;

/// <summary>The gateway on a live source: a fake Yellowstone endpoint and a fake RPC node on loopback.</summary>
public sealed class LiveSourceTests : IAsyncLifetime
{
    private FakeYellowstoneServer _geyser = null!;
    private FakeSolanaRpcServer _rpc = null!;
    private EmbeddedGateway _gateway = null!;

    public async Task InitializeAsync()
    {
        _geyser = await FakeYellowstoneServer.StartAsync();
        _rpc = await FakeSolanaRpcServer.StartAsync();
        _gateway = await EmbeddedGateway.StartAsync(settings: new Dictionary<string, string?>
        {
            ["AccountGrains:Ingest:Source"] = "yellowstone",
            ["AccountGrains:Ingest:Yellowstone:Endpoint"] = _geyser.Address.ToString(),
            ["AccountGrains:Ingest:Yellowstone:XToken"] = "gateway-secret",
            ["AccountGrains:Ingest:MaxInterest"] = "5",
            ["AccountGrains:Rpc:Url"] = _rpc.HttpAddress + "?api-key=rpc-secret",
        });
        await _geyser.WaitForStreamsAsync(1);
    }

    public async Task DisposeAsync()
    {
        await _gateway.DisposeAsync();
        await _geyser.DisposeAsync();
        await _rpc.DisposeAsync();
    }

    [Fact]
    public async Task A_socket_subscribing_to_an_unfollowed_account_gets_its_rpc_state_then_realtime_updates_from_the_stream()
    {
        var key = NewKey(out var bytes);
        _rpc.Slot = 500;
        _rpc.SetAccount(key, new FakeAccount(Updates.SystemProgram, 4_000, []));

        await using var socket = await _gateway.ConnectAsync();
        await socket.SendAsync($$"""{"action":"subscribe","pubkey":"{{key}}"}""");
        var snapshot = await socket.ReceiveAsync();
        snapshot.GetProperty("account").GetProperty("lamports").GetUInt64().Should().Be(4_000, "hydrated from RPC");
        snapshot.GetProperty("account").GetProperty("slot").GetUInt64().Should().Be(500);

        await Waits.UntilAsync(() => _geyser.FilterRequests.Any(r => r.Request.Accounts.TryGetValue("accounts", out var f) && f.Account.Contains(key)));
        _geyser.Publish(501, bytes, new byte[32], 4_500, [], 10);
        var realtime = (await socket.ReceiveUntilAsync(m => m.GetProperty("source").GetString() == "realtime"))[^1];
        realtime.GetProperty("account").GetProperty("lamports").GetUInt64().Should().Be(4_500);
        (await _gateway.GetJsonAsync("/v1/interest")).EnumerateArray().Select(e => e.GetProperty("id").GetString()).Should().Contain($"account:{key}");
    }

    [Fact]
    public async Task Interest_is_managed_over_rest_with_clear_errors()
    {
        var program = NewKey(out _);
        var mint = NewKey(out _);
        var created = await _gateway.Http.PostAsJsonAsync("/v1/interest", new
        {
            kind = "program",
            key = program,
            filters = new object[] { new { data_size = 165 }, new { memcmp = new { offset = 0, bytes = mint } } },
        });
        created.StatusCode.Should().Be(HttpStatusCode.Created);
        var id = (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString();
        id.Should().Be($"program:{program}?memcmp=0:{mint}&size=165");
        (await _gateway.Http.PostAsJsonAsync("/v1/interest", new { kind = "program", key = program, filters = new object[] { new { memcmp = new { offset = 0, bytes = mint } }, new { data_size = 165 } } }))
            .StatusCode.Should().Be(HttpStatusCode.OK, "the same interest, filters in another order");

        await Waits.UntilAsync(() => _geyser.FilterRequests.Any(r => r.Request.Accounts.Keys.Any(k => k.StartsWith($"program/{program}/", StringComparison.Ordinal))));
        var listed = (await _gateway.GetJsonAsync("/v1/interest")).EnumerateArray().Single(e => e.GetProperty("id").GetString() == id);
        listed.GetProperty("kind").GetString().Should().Be("program");
        listed.GetProperty("filters").EnumerateArray().Should().HaveCount(2);

        await ExpectErrorAsync(await _gateway.Http.PostAsync("/v1/interest", new StringContent("{not json", System.Text.Encoding.UTF8, "application/json")), HttpStatusCode.BadRequest, "invalid_json");
        await ExpectErrorAsync(await _gateway.Http.PostAsJsonAsync("/v1/interest", new { kind = "planet", key = program }), HttpStatusCode.BadRequest, "invalid_interest");
        await ExpectErrorAsync(await _gateway.Http.PostAsJsonAsync("/v1/interest", new { kind = "account", key = "0OIl" }), HttpStatusCode.BadRequest, "invalid_interest");
        await ExpectErrorAsync(await _gateway.Http.DeleteAsync("/v1/interest?id=" + Uri.EscapeDataString("account:nothing")), HttpStatusCode.NotFound, "interest_not_found");
        for (var i = 0; i < 4; i++)
        {
            await _gateway.Http.PostAsJsonAsync("/v1/interest", new { kind = "wallet", key = NewKey(out _) });
        }

        await ExpectErrorAsync(await _gateway.Http.PostAsJsonAsync("/v1/interest", new { kind = "account", key = NewKey(out _) }), HttpStatusCode.Conflict, "interest_limit");

        (await _gateway.Http.DeleteAsync("/v1/interest?id=" + Uri.EscapeDataString(id!))).StatusCode.Should().Be(HttpStatusCode.NoContent);
        (await _gateway.GetJsonAsync("/v1/interest")).EnumerateArray().Should().NotContain(e => e.GetProperty("id").GetString() == id);
    }

    [Fact]
    public async Task Ingest_status_shows_the_upstream_and_never_a_secret()
    {
        _geyser.Publish(1, NewKeyBytes(), new byte[32], 1, [], 1);
        await Waits.UntilAsync(async () => (await _gateway.GetJsonAsync("/v1/ingest")).GetProperty("upstream").GetString() == "connected"
            || _geyser.StreamCount > 0);
        var status = await _gateway.Http.GetStringAsync("/v1/ingest");
        var health = await _gateway.Http.GetStringAsync("/healthz");

        status.Should().Contain("\"source\":\"yellowstone http://127.0.0.1:").And.Contain("\"running\":true").And.Contain("\"gaps\":0");
        status.Should().NotContain("gateway-secret").And.NotContain("rpc-secret");
        health.Should().BeOneOf("Healthy", "Degraded");
        _geyser.Tokens.Should().AllBe("gateway-secret");
    }

    private static async Task ExpectErrorAsync(HttpResponseMessage response, HttpStatusCode status, string code)
    {
        response.StatusCode.Should().Be(status);
        (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("error").GetProperty("code").GetString().Should().Be(code);
    }

    private static string NewKey(out byte[] bytes)
    {
        bytes = NewKeyBytes();
        return Base58.Encode(bytes);
    }

    private static byte[] NewKeyBytes()
    {
        var bytes = new byte[32];
        Random.Shared.NextBytes(bytes);
        return bytes;
    }
}

/// <summary>The gateway on Solana RPC websockets instead of Geyser.</summary>
public sealed class RpcSourceGatewayTests
{
    [Fact]
    public async Task A_socket_subscription_becomes_an_account_subscription_upstream_and_its_notifications_stream_to_the_socket()
    {
        await using var rpc = await FakeSolanaRpcServer.StartAsync();
        var key = Base58.Encode(Enumerable.Range(1, 32).Select(i => (byte)(i * 7)).ToArray());
        rpc.Slot = 100;
        rpc.SetAccount(key, new FakeAccount(Updates.SystemProgram, 10, []));
        await using var gateway = await EmbeddedGateway.StartAsync(settings: new Dictionary<string, string?>
        {
            ["AccountGrains:Ingest:Source"] = "rpc",
            ["AccountGrains:Ingest:Rpc:WebSocketUrl"] = rpc.WebSocketAddress + "?api-key=ws-secret",
            ["AccountGrains:Rpc:Url"] = rpc.HttpAddress.ToString(),
        });

        await using var socket = await gateway.ConnectAsync();
        await socket.SendAsync($$"""{"action":"subscribe","pubkey":"{{key}}"}""");
        (await socket.ReceiveAsync()).GetProperty("account").GetProperty("lamports").GetUInt64().Should().Be(10);
        var deadline = DateTime.UtcNow + Waits.Generous;
        while (!rpc.AllSubscriptions().Any(s => s.Method == "accountSubscribe" && s.Key == key) && DateTime.UtcNow < deadline)
        {
            await Task.Delay(20);
        }

        rpc.Slot = 101;
        rpc.SetAccount(key, new FakeAccount(Updates.SystemProgram, 20, []));
        var realtime = (await socket.ReceiveUntilAsync(m => m.GetProperty("source").GetString() == "realtime"))[^1];
        realtime.GetProperty("account").GetProperty("lamports").GetUInt64().Should().Be(20);
        realtime.GetProperty("account").GetProperty("slot").GetUInt64().Should().Be(101);

        var subscriptions = await gateway.GetJsonAsync("/v1/ingest/subscriptions");
        subscriptions.EnumerateArray().Should().Contain(s => s.GetProperty("target").GetString() == key && s.GetProperty("state").GetString() == "active");
        (await gateway.Http.GetStringAsync("/v1/ingest")).Should().Contain("\"source\":\"rpc ws://127.0.0.1:").And.NotContain("ws-secret");
    }
}
