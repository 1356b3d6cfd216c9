using System.Net.WebSockets;
using System.Text;
using AccountGrains.Gateway.Tests.Support;

namespace AccountGrains.Gateway.Tests;

/// <summary>Every bad input gets {"error":{"code","message"}} and the connection stays usable.</summary>
public sealed class NativeProtocolErrorTests : IAsyncLifetime
{
    private EmbeddedGateway _gateway = null!;

    public async Task InitializeAsync() => _gateway = await EmbeddedGateway.StartAsync(
        settings: new Dictionary<string, string?> { ["AccountGrains:Gateway:MaxInboundMessageBytes"] = "1024" });

    public async Task DisposeAsync() => await _gateway.DisposeAsync();

    [Theory]
    [InlineData("{not json", "invalid_json", "not valid JSON")]
    [InlineData("[1,2,3]", "invalid_request", "JSON object")]
    [InlineData("\"subscribe\"", "invalid_request", "JSON object")]
    [InlineData("{}", "missing_action", "no \"action\"")]
    [InlineData("{\"action\":42}", "invalid_request", "\"action\" must be a string")]
    [InlineData("{\"action\":\"launch\"}", "unknown_action", "unknown action 'launch'")]
    [InlineData("{\"action\":\"subscribe\"}", "missing_pubkey", "needs a \"pubkey\"")]
    [InlineData("{\"action\":\"subscribe\",\"pubkey\":17}", "invalid_pubkey", "base58 string")]
    [InlineData("{\"action\":\"subscribe\",\"pubkey\":\"0OIl\"}", "invalid_pubkey", "not in the base58 alphabet")]
    [InlineData("{\"action\":\"subscribe\",\"pubkey\":\"abc\"}", "invalid_pubkey", "32 bytes")]
    [InlineData("{\"action\":\"unsubscribe\",\"pubkey\":\"11111111111111111111111111111111\"}", "not_subscribed", "not subscribed")]
    public async Task Bad_request_gets_a_clear_error_and_the_connection_stays_usable(string request, string code, string messagePart)
    {
        await using var socket = await _gateway.ConnectAsync();
        await socket.SendAsync(request);
        var reply = await socket.ReceiveAsync();
        reply.GetProperty("error").GetProperty("code").GetString().Should().Be(code);
        reply.GetProperty("error").GetProperty("message").GetString().Should().Contain(messagePart);
        await socket.ShouldStillAnswerAsync();
    }

    [Fact]
    public async Task Errors_carry_the_request_id()
    {
        await using var socket = await _gateway.ConnectAsync();
        await socket.SendAsync("""{"action":"subscribe","pubkey":"xyz","id":"req-9"}""");
        var reply = await socket.ReceiveAsync();
        reply.GetProperty("id").GetString().Should().Be("req-9");
        reply.GetProperty("error").GetProperty("code").GetString().Should().Be("invalid_pubkey");
    }

    [Fact]
    public async Task Binary_frames_are_refused_with_an_error()
    {
        await using var socket = await _gateway.ConnectAsync();
        await socket.SendRawAsync([1, 2, 3], WebSocketMessageType.Binary);
        var reply = await socket.ReceiveAsync();
        reply.GetProperty("error").GetProperty("code").GetString().Should().Be("unsupported_frame");
        await socket.ShouldStillAnswerAsync();
    }

    [Fact]
    public async Task An_oversize_message_is_discarded_with_an_error()
    {
        await using var socket = await _gateway.ConnectAsync();
        var huge = "{\"action\":\"subscribe\",\"pubkey\":\"" + new string('1', 100_000) + "\"}";
        await socket.SendRawAsync(Encoding.UTF8.GetBytes(huge), WebSocketMessageType.Text);
        var reply = await socket.ReceiveAsync();
        reply.GetProperty("error").GetProperty("code").GetString().Should().Be("message_too_large");
        reply.GetProperty("error").GetProperty("message").GetString().Should().Contain("1024 bytes");
        await socket.ShouldStillAnswerAsync();
    }

    [Fact]
    public async Task A_bad_client_does_not_disturb_another_clients_stream()
    {
        var pubkey = Updates.NewPubkey();
        await using var good = await _gateway.ConnectAsync();
        await good.SendAsync($$"""{"action":"subscribe","pubkey":"{{pubkey}}"}""");
        await good.ReceiveAsync();

        await using var bad = await _gateway.ConnectAsync();
        for (var i = 0; i < 50; i++)
        {
            await bad.SendAsync(i % 2 == 0 ? "{garbage" : """{"action":"subscribe","pubkey":"!!"}""");
        }

        await _gateway.Grains.Get<IAccountGrain>(pubkey).ApplyAsync(Updates.SystemAccount(pubkey, 3, 3, 3));
        (await good.ReceiveAsync()).GetProperty("account").GetProperty("lamports").GetUInt64().Should().Be(3);
        for (var i = 0; i < 50; i++)
        {
            (await bad.ReceiveAsync()).TryGetProperty("error", out _).Should().BeTrue();
        }

        await bad.ShouldStillAnswerAsync();
    }

    [Fact]
    public async Task A_plain_http_request_to_the_websocket_path_gets_a_json_error()
    {
        var response = await _gateway.Http.GetAsync("/ws");
        response.StatusCode.Should().Be(System.Net.HttpStatusCode.BadRequest);
        (await response.Content.ReadAsStringAsync()).Should().Contain("websocket_required");
    }
}
