using System.Net.WebSockets;
using AccountGrains.Gateway.Tests.Support;

namespace AccountGrains.Gateway.Tests;

/// <summary>A client that stops reading is cut off; the grains and other clients carry on.</summary>
public sealed class SlowClientTests
{
    [Fact]
    public async Task A_client_that_stops_reading_is_closed_and_others_keep_receiving()
    {
        await using var gateway = await EmbeddedGateway.StartAsync(settings: new Dictionary<string, string?>
        {
            ["AccountGrains:Gateway:MaxQueuedMessagesPerSocket"] = "16",
        });
        var pubkey = Updates.NewPubkey();
        await using var healthy = await gateway.ConnectAsync();
        await healthy.SendAsync($$"""{"action":"subscribe","pubkey":"{{pubkey}}"}""");
        await healthy.ReceiveAsync();

        // The stalled client floods requests and never reads: its replies pile up past the limit.
        await using var stalled = await gateway.ConnectAsync();
        var flood = new string('x', 8000);
        for (var i = 0; i < 2000 && stalled.State == WebSocketState.Open; i++)
        {
            try
            {
                await stalled.SendAsync("{\"action\":\"nope\",\"pad\":\"" + flood + "\"}").WaitAsync(TimeSpan.FromSeconds(5));
            }
            catch (Exception e) when (e is WebSocketException or TimeoutException or OperationCanceledException)
            {
                break;
            }
        }

        var account = gateway.Grains.Get<IAccountGrain>(pubkey);
        for (ulong slot = 1; slot <= 20; slot++)
        {
            await account.ApplyAsync(Updates.SystemAccount(pubkey, slot, slot, slot));
        }

        var seen = await healthy.ReceiveUntilAsync(m => m.GetProperty("account").GetProperty("slot").GetUInt64() == 20);
        seen.Select(m => m.GetProperty("account").GetProperty("slot").GetUInt64()).Should().BeInAscendingOrder();

        // The stalled socket was closed by the server: reading it ends in a close (or an abort), never hangs.
        var closed = false;
        using var guard = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        try
        {
            while (!guard.IsCancellationRequested)
            {
                await stalled.ReceiveAsync(TimeSpan.FromSeconds(20));
            }
        }
        catch (WebSocketException)
        {
            closed = true;
        }

        closed.Should().BeTrue();
        stalled.CloseStatus.Should().Be(WebSocketCloseStatus.PolicyViolation);
        stalled.CloseStatusDescription.Should().Contain("send queue overflow");
    }
}
