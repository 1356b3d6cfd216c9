using System.Buffers;
using System.Collections.Concurrent;
using System.Net.WebSockets;
using System.Text.Json;
using System.Threading.Channels;

using AccountGrains.Solana.Rpc.Internal;

using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace AccountGrains.Solana.Rpc;

/// <summary>
/// One Solana PubSub websocket connection (accountSubscribe, programSubscribe, logsSubscribe, slotSubscribe).
/// Requests are matched to replies by id, so subscribes may run concurrently; notifications arrive in order on
/// <see cref="Notifications"/>. Malformed messages are logged, counted and skipped. It does not reconnect: when the
/// connection ends, <see cref="Notifications"/> completes and <see cref="Completion"/> faults with the reason, and the
/// owner (the ingest source) connects again and resubscribes.
/// </summary>
public sealed class SolanaPubSubClient : IAsyncDisposable
{
    private static readonly TimeSpan CloseTimeout = TimeSpan.FromSeconds(2);

    private readonly ClientWebSocket _socket;
    private readonly string _endpointText;
    private readonly SolanaPubSubOptions _options;
    private readonly ILogger _logger;
    private readonly RpcMetrics _metrics;
    private readonly SemaphoreSlim _sendLock = new(1, 1);
    private readonly ConcurrentDictionary<long, PendingRequest> _pending = new();
    private readonly Channel<PubSubNotification> _notifications;
    private readonly TaskCompletionSource _completion = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly CancellationTokenSource _stop = new();
    private Task _receiveLoop = Task.CompletedTask;
    private Exception? _endReason;
    private long _nextId;
    private long _malformed;
    private int _disposed;

    private SolanaPubSubClient(ClientWebSocket socket, Uri endpoint, SolanaPubSubOptions options, ILogger logger)
    {
        _socket = socket;
        _endpointText = SafeUri.Describe(endpoint);
        _options = options;
        _logger = logger;
        _metrics = RpcMetrics.Create(options.MeterFactory);
        _notifications = Channel.CreateBounded<PubSubNotification>(new BoundedChannelOptions(options.NotificationCapacity)
        {
            SingleWriter = true,
            FullMode = BoundedChannelFullMode.Wait,
        });
    }

    /// <summary>Notifications in arrival order; completes when the connection ends (see <see cref="Completion"/> for why).</summary>
    public ChannelReader<PubSubNotification> Notifications => _notifications.Reader;

    /// <summary>Completes when the connection ends: successfully after <see cref="DisposeAsync"/>, faulted with the reason otherwise.</summary>
    public Task Completion => _completion.Task;

    /// <summary>Messages skipped as malformed (not JSON, unknown method, missing fields, too large).</summary>
    public long MalformedMessageCount => Interlocked.Read(ref _malformed);

    /// <summary>Opens the websocket (ws:// or wss://; a query string holding an API key is fine and never logged).</summary>
    public static async Task<SolanaPubSubClient> ConnectAsync(
        Uri webSocketEndpoint, SolanaPubSubOptions? options = null, ILogger? logger = null, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(webSocketEndpoint);
        if (!webSocketEndpoint.IsAbsoluteUri || (webSocketEndpoint.Scheme != "ws" && webSocketEndpoint.Scheme != "wss"))
        {
            throw new ArgumentException("the PubSub endpoint must be an absolute ws:// or wss:// address", nameof(webSocketEndpoint));
        }

        options ??= new SolanaPubSubOptions();
        SolanaPubSubOptionsValidator.ThrowIfInvalid(options);
        var socket = new ClientWebSocket();
        socket.Options.KeepAliveInterval = options.KeepAliveInterval;
        if (options.KeepAliveInterval > TimeSpan.Zero)
        {
            socket.Options.KeepAliveTimeout = options.KeepAliveTimeout;
        }

        var client = new SolanaPubSubClient(socket, webSocketEndpoint, options, logger ?? NullLogger.Instance);
        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
            timeout.CancelAfter(options.ConnectTimeout);
            try
            {
                await socket.ConnectAsync(webSocketEndpoint, timeout.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException ex) when (!ct.IsCancellationRequested)
            {
                throw new TimeoutException(
                    $"connecting to the PubSub endpoint {client._endpointText} took longer than {options.ConnectTimeout.TotalSeconds:0.###} s", ex);
            }
        }
        catch
        {
            socket.Dispose();
            client._stop.Dispose();
            throw;
        }

        RpcLog.PubSubConnected(client._logger, client._endpointText);
        client._receiveLoop = Task.Run(client.ReceiveLoopAsync, CancellationToken.None);
        return client;
    }

    /// <summary>accountSubscribe (base64 data); returns the subscription id.</summary>
    public Task<ulong> AccountSubscribeAsync(string pubkey, RpcCommitment commitment = default, CancellationToken ct = default)
    {
        RpcRequestWriter.ValidatePubkey(pubkey, nameof(pubkey));
        return SubscribeAsync("accountSubscribe", writer =>
        {
            writer.WriteStringValue(pubkey);
            writer.WriteStartObject();
            RpcRequestWriter.WriteCommitment(writer, commitment);
            writer.WriteString("encoding", "base64");
            writer.WriteEndObject();
        }, ct);
    }

    /// <summary>programSubscribe (base64 data) with optional dataSize / memcmp filters; returns the subscription id.</summary>
    public Task<ulong> ProgramSubscribeAsync(
        string programId, IReadOnlyList<RpcFilter>? filters = null, RpcCommitment commitment = default, CancellationToken ct = default)
    {
        RpcRequestWriter.ValidatePubkey(programId, nameof(programId));
        RpcRequestWriter.ValidateFilters(filters, nameof(filters));
        return SubscribeAsync("programSubscribe", writer =>
        {
            writer.WriteStringValue(programId);
            writer.WriteStartObject();
            RpcRequestWriter.WriteCommitment(writer, commitment);
            writer.WriteString("encoding", "base64");
            RpcRequestWriter.WriteFilters(writer, filters);
            writer.WriteEndObject();
        }, ct);
    }

    /// <summary>logsSubscribe for transactions that mention <paramref name="mentionsAddress"/>; returns the subscription id.</summary>
    public Task<ulong> LogsSubscribeAsync(string mentionsAddress, RpcCommitment commitment = default, CancellationToken ct = default)
    {
        RpcRequestWriter.ValidatePubkey(mentionsAddress, nameof(mentionsAddress));
        return SubscribeAsync("logsSubscribe", writer =>
        {
            writer.WriteStartObject();
            writer.WriteStartArray("mentions");
            writer.WriteStringValue(mentionsAddress);
            writer.WriteEndArray();
            writer.WriteEndObject();
            writer.WriteStartObject();
            RpcRequestWriter.WriteCommitment(writer, commitment);
            writer.WriteEndObject();
        }, ct);
    }

    /// <summary>slotSubscribe; returns the subscription id.</summary>
    public Task<ulong> SlotSubscribeAsync(CancellationToken ct = default)
    {
        return SubscribeAsync("slotSubscribe", _ => { }, ct);
    }

    /// <summary>The matching xxxUnsubscribe; true when the node had the subscription.</summary>
    public async Task<bool> UnsubscribeAsync(PubSubKind kind, ulong subscriptionId, CancellationToken ct = default)
    {
        string method = kind switch
        {
            PubSubKind.Account => "accountUnsubscribe",
            PubSubKind.Program => "programUnsubscribe",
            PubSubKind.Logs => "logsUnsubscribe",
            PubSubKind.Slot => "slotUnsubscribe",
            _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "not a PubSubKind"),
        };
        JsonElement result = await RequestAsync(method, writer => writer.WriteNumberValue(subscriptionId), ct).ConfigureAwait(false);
        return result.ValueKind switch
        {
            JsonValueKind.True => true,
            JsonValueKind.False => false,
            _ => throw new SolanaRpcException(method, null, $"the result is {RpcJson.Kind(result)}, not a boolean", null),
        };
    }

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        if (_socket.State == WebSocketState.Open)
        {
            try
            {
                using var close = new CancellationTokenSource(CloseTimeout);
                await _sendLock.WaitAsync(close.Token).ConfigureAwait(false);
                try
                {
                    await _socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, "client closing", close.Token).ConfigureAwait(false);
                }
                finally
                {
                    _sendLock.Release();
                }
            }
            catch (Exception ex) when (ex is WebSocketException or OperationCanceledException or ObjectDisposedException or InvalidOperationException)
            {
                // Closing politely is best effort; the socket is aborted below either way.
            }
        }

        await _stop.CancelAsync().ConfigureAwait(false);
        await _receiveLoop.ConfigureAwait(false);
        _socket.Dispose();
        _stop.Dispose();
        RpcLog.PubSubClosed(_logger, _endpointText);
    }

    private async Task<ulong> SubscribeAsync(string method, Action<Utf8JsonWriter> writeParams, CancellationToken ct)
    {
        JsonElement result = await RequestAsync(method, writeParams, ct).ConfigureAwait(false);
        if (result.ValueKind != JsonValueKind.Number || !result.TryGetUInt64(out ulong id))
        {
            throw new SolanaRpcException(method, null, $"the result is {RpcJson.Kind(result)}, not a subscription id", null);
        }

        RpcLog.PubSubSubscribed(_logger, method, _endpointText, id);
        return id;
    }

    private async Task<JsonElement> RequestAsync(string method, Action<Utf8JsonWriter> writeParams, CancellationToken ct)
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        long id = Interlocked.Increment(ref _nextId);
        var reply = new TaskCompletionSource<JsonElement>(TaskCreationOptions.RunContinuationsAsynchronously);
        _pending[id] = new PendingRequest(method, reply);
        try
        {
            if (Volatile.Read(ref _endReason) is { } ended)
            {
                throw Ended(method, ended);
            }

            byte[] request = RpcRequestWriter.Build(id, method, writeParams);
            await _sendLock.WaitAsync(ct).ConfigureAwait(false);
            try
            {
                await _socket.SendAsync(request, WebSocketMessageType.Text, endOfMessage: true, ct).ConfigureAwait(false);
            }
            catch (WebSocketException ex)
            {
                throw Ended(method, ex);
            }
            finally
            {
                _sendLock.Release();
            }

            try
            {
                return await reply.Task.WaitAsync(_options.RequestTimeout, ct).ConfigureAwait(false);
            }
            catch (TimeoutException)
            {
                throw new SolanaPubSubTimeoutException(method, _options.RequestTimeout);
            }
        }
        finally
        {
            _pending.TryRemove(id, out _);
        }
    }

    private IOException Ended(string method, Exception reason)
    {
        return new IOException($"{method} failed: the PubSub connection to {_endpointText} has ended ({reason.Message})", reason);
    }

    private async Task ReceiveLoopAsync()
    {
        var message = new ArrayBufferWriter<byte>(16 * 1024);
        byte[] discard = [];
        Exception? reason = null;
        try
        {
            while (true)
            {
                message.Clear();
                bool tooLarge = false;
                ValueWebSocketReceiveResult received;
                do
                {
                    Memory<byte> into = tooLarge ? discard : message.GetMemory(16 * 1024);
                    received = await _socket.ReceiveAsync(into, _stop.Token).ConfigureAwait(false);
                    if (received.MessageType == WebSocketMessageType.Close)
                    {
                        throw new WebSocketException(
                            WebSocketError.ConnectionClosedPrematurely,
                            $"the server closed the connection ({_socket.CloseStatus} {_socket.CloseStatusDescription})");
                    }

                    if (!tooLarge)
                    {
                        message.Advance(received.Count);
                        if (message.WrittenCount > _options.MaxMessageBytes)
                        {
                            tooLarge = true;
                            discard = new byte[16 * 1024];
                        }
                    }
                }
                while (!received.EndOfMessage);

                if (tooLarge)
                {
                    Malformed($"a message over MaxMessageBytes ({_options.MaxMessageBytes}) was discarded");
                    continue;
                }

                await HandleMessageAsync(message.WrittenMemory).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (_stop.IsCancellationRequested)
        {
            // Disposed.
        }
        catch (Exception ex) when (ex is WebSocketException or IOException or ObjectDisposedException or InvalidOperationException)
        {
            reason = ex;
        }

        End(reason);
    }

    private void End(Exception? reason)
    {
        bool disposed = Volatile.Read(ref _disposed) != 0;
        Exception final = reason ?? new ObjectDisposedException(nameof(SolanaPubSubClient), "the PubSub client was disposed");
        Volatile.Write(ref _endReason, final);
        foreach (PendingRequest pending in _pending.Values)
        {
            pending.Reply.TrySetException(Ended(pending.Method, final));
        }

        _notifications.Writer.TryComplete();
        if (disposed || reason is null)
        {
            _completion.TrySetResult();
        }
        else
        {
            RpcLog.PubSubEnded(_logger, _endpointText, reason.Message);
            _completion.TrySetException(reason);
        }
    }

    private async ValueTask HandleMessageAsync(ReadOnlyMemory<byte> message)
    {
        PubSubNotification? notification;
        try
        {
            using JsonDocument document = JsonDocument.Parse(message);
            JsonElement root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                Malformed($"the message is {RpcJson.Kind(root)}, not a JSON-RPC object");
                return;
            }

            if (root.TryGetProperty("method", out JsonElement method))
            {
                notification = ReadNotification(RpcJson.String(method, "method"), RpcJson.Property(root, "params", "message"));
            }
            else
            {
                HandleReply(root);
                return;
            }
        }
        catch (JsonException ex)
        {
            Malformed($"the message is not JSON ({ex.Message})");
            return;
        }
        catch (RpcFormatException ex)
        {
            Malformed(ex.Message);
            return;
        }

        if (notification is not null)
        {
            _metrics.Notification(notification.GetType().Name);
            await _notifications.Writer.WriteAsync(notification, _stop.Token).ConfigureAwait(false);
        }
    }

    private void HandleReply(JsonElement root)
    {
        if (!root.TryGetProperty("id", out JsonElement idElement) || !idElement.TryGetInt64(out long id))
        {
            string error = root.TryGetProperty("error", out JsonElement e) ? e.GetRawText() : "no id, method or error";
            Malformed($"a reply without a usable id: {ErrorText.Quote(error)}");
            return;
        }

        if (!_pending.TryGetValue(id, out PendingRequest? pending))
        {
            RpcLog.PubSubUnclaimedReply(_logger, _endpointText, id);
            return;
        }

        TaskCompletionSource<JsonElement> reply = pending.Reply;

        if (root.TryGetProperty("error", out JsonElement errorElement) && errorElement.ValueKind != JsonValueKind.Null)
        {
            int? code = errorElement.ValueKind == JsonValueKind.Object && errorElement.TryGetProperty("code", out JsonElement c) && c.TryGetInt32(out int n) ? n : null;
            string message = errorElement.ValueKind == JsonValueKind.Object && errorElement.TryGetProperty("message", out JsonElement m) && m.ValueKind == JsonValueKind.String
                ? m.GetString() ?? string.Empty
                : errorElement.GetRawText();
            reply.TrySetException(new SolanaRpcException(pending.Method, code, message, RpcJson.RawOrNull(errorElement, "data")));
            return;
        }

        if (!root.TryGetProperty("result", out JsonElement result))
        {
            reply.TrySetException(new SolanaRpcException(pending.Method, null, "the reply has neither result nor error", null));
            return;
        }

        reply.TrySetResult(result.Clone());
    }

    private PubSubNotification? ReadNotification(string method, JsonElement parameters)
    {
        ulong subscription = RpcJson.U64(parameters, "subscription", "params");
        JsonElement result = RpcJson.Property(parameters, "result", "params");
        switch (method)
        {
            case "accountNotification":
            {
                RpcResult<RpcAccount> read = RpcJson.ContextValue(result, RpcJson.Account);
                return new AccountNotification(subscription, read.ContextSlot, read.Value);
            }

            case "programNotification":
            {
                RpcResult<RpcKeyedAccount> read = RpcJson.ContextValue(result, RpcJson.KeyedAccount);
                return new ProgramNotification(subscription, read.ContextSlot, read.Value);
            }

            case "logsNotification":
            {
                RpcResult<LogsNotification> read = RpcJson.ContextValue(result, (value, path) => new LogsNotification(
                    subscription,
                    0,
                    RpcJson.String(value, "signature", path),
                    RpcJson.RawOrNull(value, "err"),
                    RpcJson.List(RpcJson.Array(value, "logs", path), $"{path}.logs", RpcJson.String)));
                return read.Value with { Slot = read.ContextSlot };
            }

            case "slotNotification":
                return new SlotNotification(
                    subscription,
                    RpcJson.U64(result, "slot", "params.result"),
                    RpcJson.U64(result, "parent", "params.result"),
                    RpcJson.U64(result, "root", "params.result"));
            default:
                Malformed($"unknown notification method {ErrorText.Quote(method)}");
                return null;
        }
    }

    private void Malformed(string reason)
    {
        Interlocked.Increment(ref _malformed);
        _metrics.Malformed();
        RpcLog.PubSubMalformed(_logger, _endpointText, reason);
    }

    private sealed record PendingRequest(string Method, TaskCompletionSource<JsonElement> Reply);
}
