using System.Collections.Concurrent;
using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace AccountGrains.Testing.FakeRpc;

/// <summary>
/// A scriptable fake Solana RPC node on Kestrel (127.0.0.1, free port): HTTP JSON-RPC on POST / and PubSub on a
/// websocket at / of the same port, answering with the response shapes of the Solana JSON-RPC docs. Tests set the
/// state (accounts, slot, signatures, transactions), script failures, inspect every request, and push notifications.
/// </summary>
public sealed partial class FakeSolanaRpcServer : IAsyncDisposable
{
    public const string ApiVersion = "2.2.7";

    private readonly object _gate = new();
    private readonly Dictionary<string, FakeAccount> _accounts = new(StringComparer.Ordinal);
    private readonly Dictionary<string, List<FakeSignature>> _signatures = new(StringComparer.Ordinal);
    private readonly Dictionary<string, FakeTransaction> _transactions = new(StringComparer.Ordinal);
    private readonly ConcurrentQueue<FakeFailure> _failures = new();
    private readonly ConcurrentQueue<RecordedRequest> _requests = new();
    private readonly ConcurrentDictionary<int, FakePubSubConnection> _connections = new();
    private readonly ConcurrentQueue<Exception> _handlerErrors = new();
    private readonly ConcurrentDictionary<string, (int Code, string Message)> _refusedKeys = new(StringComparer.Ordinal);
    private WebApplication? _app;
    private long _slot = 300_000_000;
    private long _nextSubscriptionId;
    private int _nextConnectionId;
    private int _refusedConnections;
    private int _admittedConnections;

    private FakeSolanaRpcServer()
    {
    }

    /// <summary>http://127.0.0.1:port/ for JSON-RPC.</summary>
    public Uri HttpAddress { get; private set; } = null!;

    /// <summary>ws://127.0.0.1:port/ for PubSub.</summary>
    public Uri WebSocketAddress { get; private set; } = null!;

    /// <summary>The slot in every context (and getSlot's answer).</summary>
    public ulong Slot
    {
        get => (ulong)Interlocked.Read(ref _slot);
        set => Interlocked.Exchange(ref _slot, checked((long)value));
    }

    /// <summary>Websocket connections beyond this many are refused with HTTP 429 (like public endpoints' per-IP limit); null = no limit.</summary>
    public int? MaxWebSocketConnections { get; set; }

    /// <summary>When true, websocket requests are read but never answered (a stalled node).</summary>
    public bool IgnorePubSubRequests { get; set; }

    /// <summary>Every JSON-RPC call the HTTP side received, in arrival order.</summary>
    public IReadOnlyCollection<RecordedRequest> Requests => _requests;

    /// <summary>Exceptions the server's own code threw (a test can assert this stays empty).</summary>
    public IReadOnlyCollection<Exception> HandlerErrors => _handlerErrors;

    public int ActiveWebSocketConnections => _connections.Count;

    public int RefusedWebSocketConnections => Volatile.Read(ref _refusedConnections);

    public static async Task<FakeSolanaRpcServer> StartAsync()
    {
        var server = new FakeSolanaRpcServer();
        WebApplicationBuilder builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.Limits.MinRequestBodyDataRate = null;
            kestrel.Limits.MinResponseDataRate = null;
            kestrel.Listen(IPAddress.Loopback, 0, listen => listen.Protocols = HttpProtocols.Http1);
        });

        WebApplication app = builder.Build();
        app.UseWebSockets();
        app.Run(server.DispatchAsync);
        await app.StartAsync();
        server._app = app;

        string address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();
        server.HttpAddress = new Uri(address.TrimEnd('/') + "/");
        server.WebSocketAddress = new UriBuilder(server.HttpAddress) { Scheme = "ws" }.Uri;
        return server;
    }

    // --- state ------------------------------------------------------------------------------------------------------

    /// <summary>Sets an account and pushes accountNotification / programNotification to every matching subscription.</summary>
    public void SetAccount(string pubkey, FakeAccount account)
    {
        lock (_gate)
        {
            _accounts[pubkey] = account;
            ulong slot = Slot;
            foreach (FakePubSubConnection connection in _connections.Values)
            {
                connection.NotifyAccount(pubkey, account, slot);
            }
        }
    }

    public bool RemoveAccount(string pubkey)
    {
        lock (_gate)
        {
            return _accounts.Remove(pubkey);
        }
    }

    /// <summary>Sets what getSignaturesForAddress returns for the address, newest first.</summary>
    public void SetSignatures(string address, IEnumerable<FakeSignature> newestFirst)
    {
        lock (_gate)
        {
            _signatures[address] = newestFirst.ToList();
        }
    }

    /// <summary>Stores a transaction under each of its signatures.</summary>
    public void SetTransaction(FakeTransaction transaction)
    {
        lock (_gate)
        {
            foreach (string signature in transaction.Signatures)
            {
                _transactions[signature] = transaction;
            }
        }
    }

    // --- scripting ---------------------------------------------------------------------------------------------------

    /// <summary>The next <paramref name="count"/> HTTP requests get <paramref name="failure"/> (queued after earlier scripts).</summary>
    public void FailNext(FakeFailure failure, int count = 1)
    {
        for (int i = 0; i < count; i++)
        {
            _failures.Enqueue(failure);
        }
    }

    public IReadOnlyList<RecordedRequest> RequestsFor(string method)
    {
        return _requests.Where(r => r.Method == method).ToList();
    }

    // --- pubsub scripting ---------------------------------------------------------------------------------------------

    /// <summary>Pushes logsNotification to every logsSubscribe whose mentions include one of <paramref name="mentions"/> (and to "all").</summary>
    public void PushLogs(string signature, string? errorJson, IReadOnlyList<string> logs, params string[] mentions)
    {
        ulong slot = Slot;
        foreach (FakePubSubConnection connection in _connections.Values)
        {
            connection.NotifyLogs(signature, errorJson, logs, mentions, slot);
        }
    }

    /// <summary>Moves <see cref="Slot"/> and pushes slotNotification to every slotSubscribe.</summary>
    public void PushSlot(ulong slot, ulong? parent = null, ulong? root = null)
    {
        Slot = slot;
        foreach (FakePubSubConnection connection in _connections.Values)
        {
            connection.NotifySlot(slot, parent ?? (slot - 1), root ?? (slot > 32 ? slot - 32 : 0));
        }
    }

    /// <summary>Sends this text frame to every websocket connection.</summary>
    public void SendRawFrame(string text)
    {
        foreach (FakePubSubConnection connection in _connections.Values)
        {
            connection.SendRaw(text);
        }
    }

    /// <summary>
    /// Subscribes naming <paramref name="key"/> (the account, program or mentioned address) get this JSON-RPC error
    /// instead of a subscription id, like a provider refusing a subscription (e.g. -32602, or a plan limit).
    /// </summary>
    public void RefuseSubscriptionsTo(string key, int code, string message)
    {
        _refusedKeys[key] = (code, message);
    }

    /// <summary>Aborts one websocket connection (TCP reset, no close frame); false when there is no such connection.</summary>
    public bool DropWebSocketConnection(int connectionId)
    {
        if (!_connections.TryGetValue(connectionId, out FakePubSubConnection? connection))
        {
            return false;
        }

        connection.Abort();
        return true;
    }

    /// <summary>Aborts every websocket connection (TCP reset, no close frame).</summary>
    public void DropWebSocketConnections()
    {
        foreach (FakePubSubConnection connection in _connections.Values)
        {
            connection.Abort();
        }
    }

    /// <summary>Active subscriptions, per connection id.</summary>
    public IReadOnlyDictionary<int, IReadOnlyList<FakeSubscription>> Subscriptions()
    {
        return _connections.ToDictionary(c => c.Key, c => c.Value.Subscriptions());
    }

    public IReadOnlyList<FakeSubscription> AllSubscriptions()
    {
        return _connections.Values.SelectMany(c => c.Subscriptions()).ToList();
    }

    public async ValueTask DisposeAsync()
    {
        DropWebSocketConnections();
        if (_app is not null)
        {
            using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(5));
            await _app.StopAsync(stop.Token);
            await _app.DisposeAsync();
        }
    }

    // --- websocket ---------------------------------------------------------------------------------------------------

    private async Task AcceptWebSocketAsync(HttpContext context)
    {
        // Admission is counted before the handshake: a connection the client already sees as open (it got the 101)
        // counts against the limit even if this handler has not registered it yet.
        int admitted = Interlocked.Increment(ref _admittedConnections);
        try
        {
            if (MaxWebSocketConnections is { } max && admitted > max)
            {
                Interlocked.Increment(ref _refusedConnections);
                context.Response.StatusCode = StatusCodes.Status429TooManyRequests;
                await context.Response.WriteAsync("Too many connections from this IP", context.RequestAborted);
                return;
            }

            using var socket = await context.WebSockets.AcceptWebSocketAsync();
            int id = Interlocked.Increment(ref _nextConnectionId);
            var connection = new FakePubSubConnection(id, context, socket, () => (ulong)Interlocked.Increment(ref _nextSubscriptionId), Account, () => IgnorePubSubRequests)
            {
                RefusedKey = key => _refusedKeys.TryGetValue(key, out var refusal) ? refusal : null,
            };
            _connections[id] = connection;
            try
            {
                await connection.RunAsync();
            }
            finally
            {
                _connections.TryRemove(id, out _);
            }
        }
        finally
        {
            Interlocked.Decrement(ref _admittedConnections);
        }
    }

    private FakeAccount? Account(string pubkey)
    {
        lock (_gate)
        {
            return _accounts.GetValueOrDefault(pubkey);
        }
    }

    // --- HTTP ----------------------------------------------------------------------------------------------------------

    private async Task DispatchAsync(HttpContext context)
    {
        try
        {
            if (context.WebSockets.IsWebSocketRequest)
            {
                await AcceptWebSocketAsync(context);
                return;
            }

            if (!HttpMethods.IsPost(context.Request.Method))
            {
                context.Response.StatusCode = StatusCodes.Status405MethodNotAllowed;
                return;
            }

            await AnswerHttpAsync(context);
        }
        catch (Exception ex) when (context.RequestAborted.IsCancellationRequested && ex is OperationCanceledException or IOException)
        {
        }
        catch (Exception ex)
        {
            _handlerErrors.Enqueue(ex);
            throw;
        }
    }

    private async Task AnswerHttpAsync(HttpContext context)
    {
        using var reader = new StreamReader(context.Request.Body, Encoding.UTF8);
        string body = await reader.ReadToEndAsync(context.RequestAborted);
        JsonNode? request = null;
        try
        {
            request = JsonNode.Parse(body);
        }
        catch (JsonException)
        {
        }

        Record(context, request);
        if (_failures.TryDequeue(out FakeFailure? failure))
        {
            if (failure.Delay is { } delay)
            {
                await Task.Delay(delay, context.RequestAborted);
            }
            else if (failure.RpcErrorCode is { } code)
            {
                JsonNode? id = request is JsonObject o ? o["id"]?.DeepClone() : null;
                await WriteJsonAsync(context, Error(id, code, failure.RpcErrorMessage ?? string.Empty, failure.RpcErrorDataJson));
                return;
            }
            else
            {
                context.Response.StatusCode = failure.StatusCode ?? 500;
                if (failure.RetryAfter is not null)
                {
                    context.Response.Headers.RetryAfter = failure.RetryAfter;
                }

                await context.Response.WriteAsync(failure.Body ?? string.Empty, context.RequestAborted);
                return;
            }
        }

        JsonNode reply = request switch
        {
            null => Error(null, -32700, "Parse error"),
            JsonArray batch when batch.Count == 0 => Error(null, -32600, "Invalid request"),
            JsonArray batch => new JsonArray(batch.Select(Answer).ToArray()),
            _ => Answer(request),
        };
        await WriteJsonAsync(context, reply);
    }

    private void Record(HttpContext context, JsonNode? request)
    {
        var headers = context.Request.Headers.ToDictionary(h => h.Key, h => h.Value.ToString(), StringComparer.OrdinalIgnoreCase);
        string path = context.Request.Path + context.Request.QueryString;
        DateTimeOffset now = DateTimeOffset.UtcNow;
        IEnumerable<JsonNode?> calls = request is JsonArray batch ? batch : [request];
        int size = request is JsonArray array ? array.Count : 1;
        foreach (JsonNode? call in calls)
        {
            string method = call is JsonObject o && o["method"] is JsonValue m && m.TryGetValue(out string? name) ? name : "<invalid>";
            string parameters = call is JsonObject p && p["params"] is { } ps ? ps.ToJsonString() : "[]";
            _requests.Enqueue(new RecordedRequest(now, method, parameters, size, path, headers));
        }
    }

    private static async Task WriteJsonAsync(HttpContext context, JsonNode reply)
    {
        context.Response.ContentType = "application/json; charset=utf-8";
        await context.Response.WriteAsync(reply.ToJsonString(), context.RequestAborted);
    }

    private JsonNode Answer(JsonNode? call)
    {
        if (call is not JsonObject request || request["method"] is not JsonValue methodValue || !methodValue.TryGetValue(out string? method))
        {
            return Error(null, -32600, "Invalid request");
        }

        JsonNode? id = request["id"]?.DeepClone();
        JsonArray parameters = request["params"] as JsonArray ?? [];
        try
        {
            JsonNode? result = Call(method, parameters);
            return new JsonObject { ["jsonrpc"] = "2.0", ["result"] = result, ["id"] = id };
        }
        catch (FakeRpcError error)
        {
            return Error(id, error.Code, error.Message, error.DataJson);
        }
    }

    private static JsonObject Error(JsonNode? id, int code, string message, string? dataJson = null)
    {
        var error = new JsonObject { ["code"] = code, ["message"] = message };
        if (dataJson is not null)
        {
            error["data"] = JsonNode.Parse(dataJson);
        }

        return new JsonObject { ["jsonrpc"] = "2.0", ["error"] = error, ["id"] = id };
    }

    /// <summary>A JSON-RPC error the fake answers with.</summary>
    internal sealed class FakeRpcError(int code, string message, string? dataJson = null) : Exception(message)
    {
        public int Code { get; } = code;

        public string? DataJson { get; } = dataJson;
    }
}
