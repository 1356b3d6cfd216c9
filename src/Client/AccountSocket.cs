using System.Net.WebSockets;
using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json;

namespace AccountGrains.Client;

/// <summary>
/// One WebSocket to the gateway's native protocol. Send subscribe/unsubscribe requests, then read replies and
/// realtime updates in the order the gateway sent them. Not safe for concurrent sends.
/// </summary>
public sealed class AccountSocket : IAsyncDisposable
{
    private readonly ClientWebSocket _socket;
    private int _nextId;

    private AccountSocket(ClientWebSocket socket) => _socket = socket;

    internal static async Task<AccountSocket> ConnectAsync(Uri address, CancellationToken cancellationToken)
    {
        var socket = new ClientWebSocket();
        try
        {
            await socket.ConnectAsync(address, cancellationToken).ConfigureAwait(false);
            return new AccountSocket(socket);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    /// <summary>Asks for the account's state and its updates; returns the request id the reply carries.</summary>
    public Task<string> SubscribeAsync(string pubkey, CancellationToken cancellationToken = default) =>
        SendAsync("subscribe", pubkey, cancellationToken);

    public Task<string> UnsubscribeAsync(string pubkey, CancellationToken cancellationToken = default) =>
        SendAsync("unsubscribe", pubkey, cancellationToken);

    /// <summary>Reads messages until the gateway closes the socket or <paramref name="cancellationToken"/> fires.</summary>
    public async IAsyncEnumerable<GatewayMessage> ReadAllAsync([EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var buffer = new byte[16 * 1024];
        using var message = new MemoryStream();
        while (_socket.State == WebSocketState.Open)
        {
            var result = await _socket.ReceiveAsync(buffer, cancellationToken).ConfigureAwait(false);
            if (result.MessageType == WebSocketMessageType.Close)
            {
                yield break;
            }

            message.Write(buffer, 0, result.Count);
            if (!result.EndOfMessage)
            {
                continue;
            }

            var parsed = Parse(message.GetBuffer().AsSpan(0, (int)message.Length));
            message.SetLength(0);
            if (parsed is not null)
            {
                yield return parsed;
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_socket.State == WebSocketState.Open)
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
            try
            {
                await _socket.CloseAsync(WebSocketCloseStatus.NormalClosure, "client closing", timeout.Token).ConfigureAwait(false);
            }
            catch (Exception e) when (e is WebSocketException or OperationCanceledException)
            {
                // The gateway went away first.
            }
        }

        _socket.Dispose();
    }

    /// <summary>Turns one native-protocol message into a typed message; unknown types are skipped (null).</summary>
    internal static GatewayMessage? Parse(ReadOnlySpan<byte> utf8)
    {
        var root = JsonDocument.Parse(utf8.ToArray()).RootElement;
        var id = root.TryGetProperty("id", out var idElement) ? idElement.GetString() : null;
        if (root.TryGetProperty("error", out var error))
        {
            return new ErrorMessage(id, error.GetProperty("code").GetString()!, error.GetProperty("message").GetString()!);
        }

        return root.GetProperty("type").GetString() switch
        {
            "account" => new AccountMessage(
                id,
                root.GetProperty("pubkey").GetString()!,
                root.GetProperty("source").GetString()!,
                root.GetProperty("account").ValueKind == JsonValueKind.Null ? null : root.GetProperty("account").Deserialize<AccountView>()),
            "unsubscribed" => new UnsubscribedMessage(id, root.GetProperty("pubkey").GetString()!),
            "pong" => new PongMessage(id),
            _ => null,
        };
    }

    private async Task<string> SendAsync(string action, string pubkey, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(pubkey);
        var id = "c" + Interlocked.Increment(ref _nextId).ToString(System.Globalization.CultureInfo.InvariantCulture);
        var json = JsonSerializer.Serialize(new Dictionary<string, string> { ["action"] = action, ["pubkey"] = pubkey, ["id"] = id });
        await _socket.SendAsync(Encoding.UTF8.GetBytes(json), WebSocketMessageType.Text, endOfMessage: true, cancellationToken).ConfigureAwait(false);
        return id;
    }
}
