using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Threading.Channels;

using Microsoft.AspNetCore.Http;

namespace AccountGrains.Testing.FakeRpc;

/// <summary>
/// One PubSub websocket on the fake node: answers subscribe/unsubscribe requests and sends notifications. Every
/// outgoing frame (replies and notifications) goes through one queue, so frames keep the order they were made in.
/// </summary>
internal sealed class FakePubSubConnection
{
    private readonly object _gate = new();
    private readonly object _lifetime = new();
    private bool _ended;
    private readonly Dictionary<ulong, Subscription> _subscriptions = [];
    private readonly Channel<string> _outbox = Channel.CreateUnbounded<string>(new UnboundedChannelOptions { SingleReader = true });
    private readonly HttpContext _context;
    private readonly WebSocket _socket;
    private readonly Func<ulong> _nextSubscriptionId;
    private readonly Func<string, FakeAccount?> _account;
    private readonly Func<bool> _ignoreRequests;

    public FakePubSubConnection(int id, HttpContext context, WebSocket socket, Func<ulong> nextSubscriptionId, Func<string, FakeAccount?> account, Func<bool> ignoreRequests)
    {
        _ignoreRequests = ignoreRequests;
        Id = id;
        _context = context;
        _socket = socket;
        _nextSubscriptionId = nextSubscriptionId;
        _account = account;
    }

    public int Id { get; }

    /// <summary>The error a subscribe naming the key gets, or null to accept it.</summary>
    public Func<string, (int Code, string Message)?> RefusedKey { get; init; } = _ => null;

    public IReadOnlyList<FakeSubscription> Subscriptions()
    {
        lock (_gate)
        {
            return _subscriptions.Values.Select(s => new FakeSubscription(s.Id, s.Method, s.Key, s.Parameters.ToJsonString())).ToList();
        }
    }

    public async Task RunAsync()
    {
        Task sender = SendLoopAsync();
        try
        {
            var buffer = new byte[64 * 1024];
            var message = new MemoryStream();
            while (true)
            {
                message.SetLength(0);
                WebSocketReceiveResult received;
                do
                {
                    received = await _socket.ReceiveAsync(buffer, _context.RequestAborted);
                    if (received.MessageType == WebSocketMessageType.Close)
                    {
                        _outbox.Writer.TryComplete();
                        await sender;
                        await _socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, "bye", CancellationToken.None);
                        return;
                    }

                    message.Write(buffer, 0, received.Count);
                }
                while (!received.EndOfMessage);

                if (_ignoreRequests())
                {
                    continue;
                }

                _outbox.Writer.TryWrite(Answer(Encoding.UTF8.GetString(message.GetBuffer(), 0, (int)message.Length)).ToJsonString());
            }
        }
        catch (Exception ex) when (ex is WebSocketException or OperationCanceledException or IOException or ObjectDisposedException)
        {
            // Dropped by the test or by the client.
        }
        finally
        {
            _outbox.Writer.TryComplete();
            await sender;
            lock (_lifetime)
            {
                // From here on the request ends and Kestrel disposes the context; Abort must not touch it.
                _ended = true;
            }
        }
    }

    /// <summary>Resets the connection; nothing to do when it has ended already (its context is then disposed).</summary>
    public void Abort()
    {
        lock (_lifetime)
        {
            if (!_ended)
            {
                _context.Abort();
            }
        }
    }

    public void SendRaw(string text)
    {
        _outbox.Writer.TryWrite(text);
    }

    public void NotifyAccount(string pubkey, FakeAccount account, ulong slot)
    {
        lock (_gate)
        {
            foreach (Subscription s in _subscriptions.Values)
            {
                if (s.Method == "accountSubscribe" && s.Key == pubkey)
                {
                    Notify("accountNotification", s.Id, FakeRpcJson.ContextValue(slot, FakeRpcJson.Account(account, s.Encoding)));
                }
                else if (s.Method == "programSubscribe" && s.Key == account.Owner && FakeRpcJson.Matches(account.Data, s.Filters))
                {
                    Notify("programNotification", s.Id, FakeRpcJson.ContextValue(slot, FakeRpcJson.KeyedAccount(pubkey, account, s.Encoding)));
                }
            }
        }
    }

    public void NotifyLogs(string signature, string? errorJson, IReadOnlyList<string> logs, IReadOnlyList<string> mentions, ulong slot)
    {
        lock (_gate)
        {
            foreach (Subscription s in _subscriptions.Values)
            {
                if (s.Method == "logsSubscribe" && (s.Key is "all" or "allWithVotes" || mentions.Contains(s.Key)))
                {
                    var value = new JsonObject
                    {
                        ["signature"] = signature,
                        ["err"] = errorJson is null ? null : JsonNode.Parse(errorJson),
                        ["logs"] = new JsonArray(logs.Select(l => (JsonNode?)l).ToArray()),
                    };
                    Notify("logsNotification", s.Id, FakeRpcJson.ContextValue(slot, value));
                }
            }
        }
    }

    public void NotifySlot(ulong slot, ulong parent, ulong root)
    {
        lock (_gate)
        {
            foreach (Subscription s in _subscriptions.Values.Where(s => s.Method == "slotSubscribe"))
            {
                Notify("slotNotification", s.Id, new JsonObject { ["parent"] = parent, ["root"] = root, ["slot"] = slot });
            }
        }
    }

    private void Notify(string method, ulong subscription, JsonNode result)
    {
        var message = new JsonObject
        {
            ["jsonrpc"] = "2.0",
            ["method"] = method,
            ["params"] = new JsonObject { ["result"] = result, ["subscription"] = subscription },
        };
        _outbox.Writer.TryWrite(message.ToJsonString());
    }

    private async Task SendLoopAsync()
    {
        try
        {
            await foreach (string frame in _outbox.Reader.ReadAllAsync())
            {
                await _socket.SendAsync(Encoding.UTF8.GetBytes(frame), WebSocketMessageType.Text, endOfMessage: true, _context.RequestAborted);
            }
        }
        catch (Exception ex) when (ex is WebSocketException or OperationCanceledException or IOException or ObjectDisposedException)
        {
            Abort();
        }
    }

    private JsonObject Answer(string text)
    {
        JsonNode? request;
        try
        {
            request = JsonNode.Parse(text);
        }
        catch (JsonException)
        {
            return Error(null, -32700, "Parse error");
        }

        if (request is not JsonObject call || call["method"] is not JsonValue m || !m.TryGetValue(out string? method))
        {
            return Error(null, -32600, "Invalid request");
        }

        JsonNode? id = call["id"]?.DeepClone();
        JsonArray parameters = call["params"] as JsonArray ?? [];
        try
        {
            JsonNode result = method switch
            {
                "accountSubscribe" or "programSubscribe" or "logsSubscribe" or "slotSubscribe" => Subscribe(method, parameters),
                "accountUnsubscribe" or "programUnsubscribe" or "logsUnsubscribe" or "slotUnsubscribe" => Unsubscribe(method, parameters),
                _ => throw new FakeSolanaRpcServer.FakeRpcError(-32601, "Method not found"),
            };
            return new JsonObject { ["jsonrpc"] = "2.0", ["result"] = result, ["id"] = id };
        }
        catch (FakeSolanaRpcServer.FakeRpcError error)
        {
            return Error(id, error.Code, error.Message);
        }
    }

    private JsonNode Subscribe(string method, JsonArray parameters)
    {
        string? key = null;
        JsonObject config;
        switch (method)
        {
            case "accountSubscribe":
            case "programSubscribe":
                key = FakeRpcJson.Pubkey(parameters, 0);
                config = FakeRpcJson.Config(parameters, 1);
                break;
            case "logsSubscribe":
                key = parameters.Count > 0 && parameters[0] is JsonValue all && all.TryGetValue(out string? text) && text is "all" or "allWithVotes"
                    ? text
                    : parameters.Count > 0 && parameters[0] is JsonObject filter && filter["mentions"] is JsonArray { Count: 1 } mentions
                        ? FakeRpcJson.Pubkey(mentions, 0)
                        : throw new FakeSolanaRpcServer.FakeRpcError(-32602, "Invalid params: expected \"all\", \"allWithVotes\" or {\"mentions\": [one address]}.");
                config = FakeRpcJson.Config(parameters, 1);
                break;
            default:
                config = [];
                break;
        }

        string? encoding = FakeRpcJson.String(config, "encoding");
        JsonArray? filters = config["filters"] as JsonArray;
        if (filters is not null)
        {
            FakeRpcJson.Matches([], filters); // a malformed filter is -32602 now, not at the first notification
        }

        if (key is not null && method == "accountSubscribe" && _account(key) is { } current)
        {
            FakeRpcJson.Account(current, encoding); // an unsupported encoding is refused now
        }

        if (key is not null && RefusedKey(key) is { } refusal)
        {
            throw new FakeSolanaRpcServer.FakeRpcError(refusal.Code, refusal.Message);
        }

        ulong id = _nextSubscriptionId();
        lock (_gate)
        {
            _subscriptions[id] = new Subscription(id, method, key, encoding, filters, parameters.DeepClone().AsArray());
        }

        return id;
    }

    private JsonNode Unsubscribe(string method, JsonArray parameters)
    {
        string subscribe = method.Replace("Unsubscribe", "Subscribe", StringComparison.Ordinal);
        if (parameters.Count == 0 || parameters[0] is not JsonValue v || !v.TryGetValue(out ulong id))
        {
            throw new FakeSolanaRpcServer.FakeRpcError(-32602, "Invalid params: expected a subscription id.");
        }

        lock (_gate)
        {
            if (!_subscriptions.TryGetValue(id, out Subscription? s) || s.Method != subscribe)
            {
                throw new FakeSolanaRpcServer.FakeRpcError(-32602, "Invalid subscription id.");
            }

            _subscriptions.Remove(id);
        }

        return true;
    }

    private static JsonObject Error(JsonNode? id, int code, string message)
    {
        return new JsonObject { ["jsonrpc"] = "2.0", ["error"] = new JsonObject { ["code"] = code, ["message"] = message }, ["id"] = id };
    }

    private sealed record Subscription(ulong Id, string Method, string? Key, string? Encoding, JsonArray? Filters, JsonArray Parameters);
}
