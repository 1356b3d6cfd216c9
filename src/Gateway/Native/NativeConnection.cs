using System.Buffers;
using System.Collections.Concurrent;
using System.Net.WebSockets;
using AccountGrains.Gateway.Configuration;
using AccountGrains.Gateway.Diagnostics;
using AccountGrains.Gateway.Subscriptions;
using AccountGrains.Gateway.Wallets;
using AccountGrains.Solana;

namespace AccountGrains.Gateway.Native;

/// <summary>
/// One client on <c>/ws</c>. The receive loop answers requests in order; realtime updates arrive from the hub on
/// other threads and go through the socket's <see cref="ConflatingSendQueue"/>; one send loop writes to the socket.
/// <para>
/// Subscribing attaches to the hub before reading the grain's snapshot, so no update can fall between the two;
/// updates that arrive before the snapshot is queued are held (the newest only) and sent after it when newer. Per
/// account, the socket never sends a <see cref="StreamToken"/> lower than one it sent before.
/// </para>
/// </summary>
internal sealed partial class NativeConnection : IAccountSubscriber, IDisposable
{
    private static long s_nextId;
    private readonly WebSocket _socket;
    private readonly IGrainFactory _grains;
    private readonly AccountSubscriptionHub _hub;
    private readonly WalletSubscriptionHub _walletHub;
    private readonly TrackedWallets _trackedWallets;
    private readonly UpstreamStatus _upstream;
    private readonly GatewayOptions _options;
    private readonly GatewayMetrics _metrics;
    private readonly ILogger _logger;
    private readonly ConflatingSendQueue _queue;
    private readonly ConcurrentDictionary<string, Subscription> _subscriptions = new(StringComparer.Ordinal);
    private readonly CancellationTokenSource _closing = new();
    private int _goingAway;
    private readonly string _name = $"ws-{Interlocked.Increment(ref s_nextId)}";
    private long _received;
    private long _sent;
    private int _overflowed;

    public NativeConnection(WebSocket socket, IGrainFactory grains, NativeServices services, GatewayOptions options, GatewayMetrics metrics, ILogger logger)
    {
        _socket = socket;
        _grains = grains;
        _hub = services.Accounts;
        _walletHub = services.Wallets;
        _trackedWallets = services.TrackedWallets;
        _upstream = services.Upstream;
        _options = options;
        _metrics = metrics;
        _logger = logger;
        _queue = new ConflatingSendQueue(options.MaxQueuedMessagesPerSocket);
    }

    /// <param name="remote">The client's address, for logs.</param>
    /// <param name="aborted">The request's abort (the client went away).</param>
    /// <param name="stopping">The host is stopping: the client gets a 1001 close frame and the socket ends within 2 s.</param>
    public async Task RunAsync(string? remote, CancellationToken aborted, CancellationToken stopping = default)
    {
        _metrics.ConnectionOpened();
        GatewayLog.SocketOpened(_logger, _name, remote);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(aborted, _closing.Token);
        using var goingAway = stopping.Register(GoAway);
        var sending = SendLoopAsync(linked.Token);
        try
        {
            await ReceiveLoopAsync(linked.Token).ConfigureAwait(false);
        }
        catch (Exception e) when (e is WebSocketException or OperationCanceledException or IOException)
        {
            GatewayLog.SocketAborted(_logger, _name, e);
        }
        finally
        {
            _queue.Close();
            foreach (var pubkey in _subscriptions.Keys)
            {
                await _hub.DetachAsync(pubkey, this).ConfigureAwait(false);
            }

            _subscriptions.Clear();
            await DetachWalletsAsync().ConfigureAwait(false);
            await _closing.CancelAsync().ConfigureAwait(false);
            await sending.ConfigureAwait(false);
            _metrics.ConnectionClosed();
            GatewayLog.SocketClosed(_logger, _name, _received, _sent);
        }
    }

    public void OnAccountChanged(string pubkey, StreamToken token, ReadOnlyMemory<byte> message)
    {
        if (!_subscriptions.TryGetValue(pubkey, out var subscription))
        {
            return;
        }

        lock (subscription)
        {
            if (!subscription.Ready)
            {
                if (subscription.Held is null || token > subscription.HeldToken)
                {
                    subscription.Held = message;
                    subscription.HeldToken = token;
                }

                return;
            }

            if (token <= subscription.LastToken)
            {
                return;
            }

            subscription.LastToken = token;
            if (!_queue.TryEnqueueLatest(pubkey, message))
            {
                Overflow();
            }
        }
    }

    private async Task ReceiveLoopAsync(CancellationToken cancellationToken)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(_options.MaxInboundMessageBytes);
        try
        {
            while (_socket.State == WebSocketState.Open)
            {
                var (length, messageType, tooLarge) = await ReceiveMessageAsync(buffer, cancellationToken).ConfigureAwait(false);
                if (messageType == WebSocketMessageType.Close)
                {
                    if (_socket.State == WebSocketState.CloseReceived)
                    {
                        await _socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, "bye", cancellationToken).ConfigureAwait(false);
                    }

                    return;
                }

                _received++;
                if (Volatile.Read(ref _overflowed) == 1)
                {
                    // Closing for overflow: read on until the client answers the close frame, answer nothing.
                    continue;
                }

                if (tooLarge)
                {
                    SendError("message_too_large", $"messages are limited to {_options.MaxInboundMessageBytes} bytes");
                }
                else if (messageType == WebSocketMessageType.Binary)
                {
                    SendError("unsupported_frame", "send requests as JSON text frames, not binary");
                }
                else
                {
                    await HandleAsync(buffer.AsMemory(0, length), cancellationToken).ConfigureAwait(false);
                }
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>Reads one whole message; a message past the limit is read to its end and discarded.</summary>
    private async Task<(int Length, WebSocketMessageType Type, bool TooLarge)> ReceiveMessageAsync(byte[] buffer, CancellationToken cancellationToken)
    {
        var length = 0;
        var tooLarge = false;
        var limit = _options.MaxInboundMessageBytes;
        while (true)
        {
            var target = tooLarge || length >= limit ? buffer.AsMemory(0, Math.Min(buffer.Length, 4096)) : buffer.AsMemory(length, limit - length);
            var result = await _socket.ReceiveAsync(target, cancellationToken).ConfigureAwait(false);
            if (result.MessageType == WebSocketMessageType.Close)
            {
                return (0, WebSocketMessageType.Close, false);
            }

            if (tooLarge || length >= limit)
            {
                tooLarge = true;
            }
            else
            {
                length += result.Count;
            }

            if (result.EndOfMessage)
            {
                return (length, result.MessageType, tooLarge);
            }
        }
    }

    private async Task HandleAsync(ReadOnlyMemory<byte> message, CancellationToken cancellationToken)
    {
        if (!NativeRequest.TryParse(message.Span, out var request, out var error))
        {
            SendError(error.Code, error.Message, request.Id);
            return;
        }

        switch (request.Action)
        {
            case "subscribe":
                await SubscribeAsync(request, cancellationToken).ConfigureAwait(false);
                break;
            case "unsubscribe":
                await UnsubscribeAsync(request).ConfigureAwait(false);
                break;
            case "ping":
                Send(NativeMessages.Pong(request.Id));
                break;
            case var action when IsWalletAction(action):
                await HandleWalletAsync(request, cancellationToken).ConfigureAwait(false);
                break;
            default:
                SendError("unknown_action", $"unknown action '{Truncate(request.Action)}'; use subscribe, unsubscribe, track, untrack, list, subscribe_wallet, unsubscribe_wallet or ping", request.Id);
                break;
        }
    }

    private async Task SubscribeAsync(NativeRequest request, CancellationToken cancellationToken)
    {
        if (!TryValidatePubkey(request, out var pubkey))
        {
            return;
        }

        var isNew = false;
        var subscription = _subscriptions.GetOrAdd(pubkey, _ =>
        {
            isNew = true;
            return new Subscription();
        });
        if (isNew && _subscriptions.Count > _options.MaxSubscriptionsPerSocket)
        {
            _subscriptions.TryRemove(pubkey, out _);
            SendError("subscription_limit", $"a connection may subscribe to at most {_options.MaxSubscriptionsPerSocket} accounts; unsubscribe from some first", request.Id);
            return;
        }

        if (isNew)
        {
            await _hub.AttachAsync(pubkey, this, cancellationToken).ConfigureAwait(false);
        }

        AccountSnapshot snapshot;
        try
        {
            snapshot = await _grains.Get<IAccountGrain>(pubkey).GetSnapshotAsync().ConfigureAwait(false);
        }
        catch (Exception e)
        {
            GatewayLog.RequestFailed(_logger, _name, e);
            if (isNew)
            {
                _subscriptions.TryRemove(pubkey, out _);
                await _hub.DetachAsync(pubkey, this).ConfigureAwait(false);
            }

            SendError("account_unavailable", $"the state of {pubkey} could not be read: {e.Message}; try again", request.Id);
            return;
        }

        lock (subscription)
        {
            if (!Send(NativeMessages.Account(pubkey, snapshot.State, snapshot.Source, request.Id)))
            {
                return;
            }

            var token = snapshot.State?.Token ?? StreamToken.None;
            if (token > subscription.LastToken)
            {
                subscription.LastToken = token;
            }

            subscription.Ready = true;
            if (subscription.Held is { } held && subscription.HeldToken > subscription.LastToken)
            {
                subscription.LastToken = subscription.HeldToken;
                if (!_queue.TryEnqueueLatest(pubkey, held))
                {
                    Overflow();
                }
            }

            subscription.Held = null;
        }
    }

    private async Task UnsubscribeAsync(NativeRequest request)
    {
        if (!TryValidatePubkey(request, out var pubkey))
        {
            return;
        }

        if (!_subscriptions.TryRemove(pubkey, out _))
        {
            SendError("not_subscribed", $"this connection is not subscribed to {pubkey}", request.Id);
            return;
        }

        await _hub.DetachAsync(pubkey, this).ConfigureAwait(false);
        Send(NativeMessages.Unsubscribed(pubkey, request.Id));
    }

    private bool TryValidatePubkey(NativeRequest request, out string pubkey)
    {
        pubkey = request.Pubkey ?? string.Empty;
        if (request.Pubkey is null)
        {
            SendError("missing_pubkey", $"\"{request.Action}\" needs a \"pubkey\" (base58)", request.Id);
            return false;
        }

        if (!Pubkey.TryParse(request.Pubkey, out _, out var reason))
        {
            SendError("invalid_pubkey", reason ?? $"pubkey '{Truncate(request.Pubkey)}' is not valid", request.Id);
            return false;
        }

        return true;
    }

    private void SendError(string code, string message, string? requestId = null)
    {
        _metrics.ErrorSent(code);
        Send(NativeMessages.Error(code, message, requestId));
    }

    private bool Send(byte[] message)
    {
        if (_queue.TryEnqueue(message))
        {
            return true;
        }

        Overflow();
        return false;
    }

    // The gateway is stopping: the send loop ends, says so in a close frame, and the socket is cut if the client
    // does not answer the close in time.
    private void GoAway()
    {
        if (Interlocked.Exchange(ref _goingAway, 1) == 0)
        {
            _queue.Close();
            try
            {
                _closing.CancelAfter(TimeSpan.FromSeconds(2));
            }
            catch (ObjectDisposedException)
            {
                // Already closed.
            }
        }
    }

    private void Overflow()
    {
        if (Interlocked.Exchange(ref _overflowed, 1) == 0)
        {
            _metrics.SlowClientClosed();
            GatewayLog.SlowClientClosed(_logger, _name, _queue.Count);
            _queue.Close();
            try
            {
                // A client that reads slowly gets the 1008 close frame with the reason; one that has stopped reading
                // leaves the send loop stuck in SendAsync, and is cut off when this fires.
                _closing.CancelAfter(TimeSpan.FromSeconds(5));
            }
            catch (ObjectDisposedException)
            {
                // Already closed.
            }
        }
    }

    private async Task SendLoopAsync(CancellationToken cancellationToken)
    {
        try
        {
            while (await _queue.DequeueAsync(cancellationToken).ConfigureAwait(false) is { } message)
            {
                if (Volatile.Read(ref _overflowed) == 1)
                {
                    break;
                }

                await _socket.SendAsync(message, WebSocketMessageType.Text, endOfMessage: true, cancellationToken).ConfigureAwait(false);
                _sent++;
                _metrics.MessageSent();
            }

            if (Volatile.Read(ref _overflowed) == 1 && _socket.State == WebSocketState.Open)
            {
                using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
                await _socket.CloseOutputAsync(WebSocketCloseStatus.PolicyViolation, "send queue overflow: the client is not reading fast enough", timeout.Token).ConfigureAwait(false);
            }
            else if (Volatile.Read(ref _goingAway) == 1 && _socket.State == WebSocketState.Open)
            {
                using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(2));
                await _socket.CloseOutputAsync(WebSocketCloseStatus.EndpointUnavailable, "the gateway is shutting down; reconnect", timeout.Token).ConfigureAwait(false);
            }
        }
        catch (Exception e) when (e is WebSocketException or OperationCanceledException or IOException or ObjectDisposedException)
        {
            GatewayLog.SocketAborted(_logger, _name, e);
        }
    }

    public void Dispose()
    {
        _closing.Dispose();
        _queue.Dispose();
    }

    private static string Truncate(string? text) => text is null ? string.Empty : text.Length <= 64 ? text : string.Concat(text.AsSpan(0, 64), "…");

    /// <summary>This socket's view of one account: what it last queued, and the newest update held before the snapshot.</summary>
    private sealed class Subscription
    {
        public bool Ready { get; set; }

        public StreamToken LastToken { get; set; }

        public ReadOnlyMemory<byte>? Held { get; set; }

        public StreamToken HeldToken { get; set; }
    }
}
