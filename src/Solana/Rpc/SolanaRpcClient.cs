using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;

using AccountGrains.Solana.Rpc.Internal;

using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace AccountGrains.Solana.Rpc;

/// <summary>
/// A Solana JSON-RPC client over HTTP (the reads AccountGrains needs; a stand-in for Solnet's IRpcClient, which the
/// package feed lacks). Thread-safe; one instance per endpoint, shared. Retries transient failures (HTTP 429, 5xx,
/// connection failures, timeouts, -32005 "node is behind") with exponential backoff and jitter, honouring Retry-After.
/// </summary>
public sealed class SolanaRpcClient : IDisposable
{
    /// <summary>JSON-RPC error code of a node that is behind or unhealthy: transient, so retried.</summary>
    public const int NodeUnhealthyCode = -32005;

    private static readonly MediaTypeHeaderValue JsonContentType = new("application/json") { CharSet = "utf-8" };

    private readonly Uri _endpoint;
    private readonly string _endpointText;
    private readonly SolanaRpcOptions _options;
    private readonly ILogger _logger;
    private readonly HttpClient _http;
    private readonly RpcMetrics _metrics;
    private long _nextId;
    private bool _disposed;

    /// <param name="endpoint">The http(s) endpoint; a query string or path holding an API key is fine and never logged.</param>
    /// <param name="options">Retry, timeout and batching settings; null uses the defaults.</param>
    /// <param name="logger">Receives retries and failures.</param>
    /// <param name="handler">Sends the requests (not disposed by the client); null uses a SocketsHttpHandler the client owns.</param>
    public SolanaRpcClient(Uri endpoint, SolanaRpcOptions? options = null, ILogger? logger = null, HttpMessageHandler? handler = null)
    {
        ArgumentNullException.ThrowIfNull(endpoint);
        if (!endpoint.IsAbsoluteUri || (endpoint.Scheme != Uri.UriSchemeHttp && endpoint.Scheme != Uri.UriSchemeHttps))
        {
            throw new ArgumentException("the endpoint must be an absolute http:// or https:// address", nameof(endpoint));
        }

        _options = options ?? new SolanaRpcOptions();
        SolanaRpcOptionsValidator.ThrowIfInvalid(_options);
        _endpoint = endpoint;
        _endpointText = SafeUri.Describe(endpoint);
        _logger = logger ?? NullLogger.Instance;
        _metrics = RpcMetrics.Create(_options.MeterFactory);
        _http = handler is null
            ? new HttpClient(new SocketsHttpHandler
            {
                PooledConnectionLifetime = TimeSpan.FromMinutes(5),
                AutomaticDecompression = DecompressionMethods.All,
            }, disposeHandler: true)
            : new HttpClient(handler, disposeHandler: false);
        _http.Timeout = Timeout.InfiniteTimeSpan;
        foreach ((string name, string value) in _options.Headers)
        {
            _http.DefaultRequestHeaders.TryAddWithoutValidation(name, value);
        }
    }

    /// <summary>getAccountInfo (base64 data); the value is null when the account does not exist.</summary>
    public Task<RpcResult<RpcAccount?>> GetAccountInfoAsync(string pubkey, RpcCommitment commitment = default, CancellationToken ct = default)
    {
        RpcRequestWriter.ValidatePubkey(pubkey, nameof(pubkey));
        return SendAsync(
            "getAccountInfo",
            writer =>
            {
                writer.WriteStringValue(pubkey);
                WriteConfig(writer, commitment, "base64");
            },
            result => RpcJson.ContextValue(result, RpcJson.NullableAccount),
            ct);
    }

    /// <summary>
    /// getMultipleAccounts (base64 data), in batches of <see cref="SolanaRpcOptions.MaxAccountsPerRequest"/> keys sent
    /// at most <see cref="SolanaRpcOptions.MaxConcurrentRequests"/> at a time. The list is aligned with
    /// <paramref name="pubkeys"/> (null where an account does not exist); the context slot is the smallest over the
    /// batches, so every account is at least that fresh. An empty input sends nothing and gives slot 0.
    /// </summary>
    public async Task<RpcResult<IReadOnlyList<RpcAccount?>>> GetMultipleAccountsAsync(
        IReadOnlyList<string> pubkeys, RpcCommitment commitment = default, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(pubkeys);
        for (int i = 0; i < pubkeys.Count; i++)
        {
            RpcRequestWriter.ValidatePubkey(pubkeys[i], $"{nameof(pubkeys)}[{i}]");
        }

        if (pubkeys.Count == 0)
        {
            return new RpcResult<IReadOnlyList<RpcAccount?>>(0, []);
        }

        int batchSize = _options.MaxAccountsPerRequest;
        int batches = ((pubkeys.Count - 1) / batchSize) + 1;
        var accounts = new RpcAccount?[pubkeys.Count];
        ulong minSlot = ulong.MaxValue;
        var parallel = new ParallelOptions { MaxDegreeOfParallelism = _options.MaxConcurrentRequests, CancellationToken = ct };
        await Parallel.ForEachAsync(Enumerable.Range(0, batches), parallel, async (batch, token) =>
        {
            int start = batch * batchSize;
            int count = Math.Min(batchSize, pubkeys.Count - start);
            RpcResult<List<RpcAccount?>> result = await SendAsync(
                "getMultipleAccounts",
                writer =>
                {
                    writer.WriteStartArray();
                    for (int i = start; i < start + count; i++)
                    {
                        writer.WriteStringValue(pubkeys[i]);
                    }

                    writer.WriteEndArray();
                    WriteConfig(writer, commitment, "base64");
                },
                result =>
                {
                    RpcResult<List<RpcAccount?>> read = RpcJson.ContextValue(result, (value, path) => RpcJson.List(value, path, RpcJson.NullableAccount));
                    return read.Value.Count == count
                        ? read
                        : throw new RpcFormatException($"result.value has {read.Value.Count} accounts for {count} requested keys");
                },
                token).ConfigureAwait(false);
            result.Value.CopyTo(accounts, start);
            ulong seen = Volatile.Read(ref minSlot);
            while (result.ContextSlot < seen)
            {
                ulong previous = Interlocked.CompareExchange(ref minSlot, result.ContextSlot, seen);
                if (previous == seen)
                {
                    break;
                }

                seen = previous;
            }
        }).ConfigureAwait(false);
        return new RpcResult<IReadOnlyList<RpcAccount?>>(minSlot, accounts);
    }

    /// <summary>getProgramAccounts (base64 data, withContext) with optional dataSize / memcmp filters.</summary>
    public Task<RpcResult<IReadOnlyList<RpcKeyedAccount>>> GetProgramAccountsAsync(
        string programId, IReadOnlyList<RpcFilter>? filters = null, RpcCommitment commitment = default, CancellationToken ct = default)
    {
        RpcRequestWriter.ValidatePubkey(programId, nameof(programId));
        RpcRequestWriter.ValidateFilters(filters, nameof(filters));
        return SendAsync(
            "getProgramAccounts",
            writer =>
            {
                writer.WriteStringValue(programId);
                writer.WriteStartObject();
                RpcRequestWriter.WriteCommitment(writer, commitment);
                writer.WriteString("encoding", "base64");
                writer.WriteBoolean("withContext", true);
                RpcRequestWriter.WriteFilters(writer, filters);
                writer.WriteEndObject();
            },
            KeyedAccounts,
            ct);
    }

    /// <summary>getTokenAccountsByOwner filtered by token program (SPL Token or Token-2022), base64 data.</summary>
    public Task<RpcResult<IReadOnlyList<RpcKeyedAccount>>> GetTokenAccountsByOwnerAsync(
        string owner, string tokenProgramId, RpcCommitment commitment = default, CancellationToken ct = default)
    {
        RpcRequestWriter.ValidatePubkey(owner, nameof(owner));
        RpcRequestWriter.ValidatePubkey(tokenProgramId, nameof(tokenProgramId));
        return SendAsync(
            "getTokenAccountsByOwner",
            writer =>
            {
                writer.WriteStringValue(owner);
                writer.WriteStartObject();
                writer.WriteString("programId", tokenProgramId);
                writer.WriteEndObject();
                WriteConfig(writer, commitment, "base64");
            },
            KeyedAccounts,
            ct);
    }

    /// <summary>getBalance: lamports (0 for an account that does not exist).</summary>
    public Task<RpcResult<ulong>> GetBalanceAsync(string pubkey, RpcCommitment commitment = default, CancellationToken ct = default)
    {
        RpcRequestWriter.ValidatePubkey(pubkey, nameof(pubkey));
        return SendAsync(
            "getBalance",
            writer =>
            {
                writer.WriteStringValue(pubkey);
                WriteConfig(writer, commitment, encoding: null);
            },
            result => RpcJson.ContextValue(result, RpcJson.U64),
            ct);
    }

    /// <summary>getSignaturesForAddress, newest first; <paramref name="limit"/> 1 to 1000.</summary>
    public Task<IReadOnlyList<RpcSignatureInfo>> GetSignaturesForAddressAsync(
        string address, int limit = 1000, string? before = null, string? until = null, RpcCommitment commitment = default, CancellationToken ct = default)
    {
        RpcRequestWriter.ValidatePubkey(address, nameof(address));
        ArgumentOutOfRangeException.ThrowIfLessThan(limit, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(limit, 1000);
        return SendAsync<IReadOnlyList<RpcSignatureInfo>>(
            "getSignaturesForAddress",
            writer =>
            {
                writer.WriteStringValue(address);
                writer.WriteStartObject();
                RpcRequestWriter.WriteCommitment(writer, commitment);
                writer.WriteNumber("limit", limit);
                if (before is not null)
                {
                    writer.WriteString("before", before);
                }

                if (until is not null)
                {
                    writer.WriteString("until", until);
                }

                writer.WriteEndObject();
            },
            result => RpcJson.List(result, "result", (item, path) => new RpcSignatureInfo(
                RpcJson.String(item, "signature", path),
                RpcJson.U64(item, "slot", path),
                RpcJson.RawOrNull(item, "err") is not null,
                RpcJson.NullableString(item, "memo", path),
                RpcJson.NullableI64(item, "blockTime", path),
                RpcJson.NullableString(item, "confirmationStatus", path))),
            ct);
    }

    /// <summary>getTransaction (encoding json, versioned transactions up to version 0); null when the node does not have it.</summary>
    public Task<RpcTransaction?> GetTransactionAsync(string signature, RpcCommitment commitment = default, CancellationToken ct = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(signature);
        if (!IsBase58(signature))
        {
            throw new ArgumentException($"signature {ErrorText.Quote(signature)} is not base58", nameof(signature));
        }

        return SendAsync(
            "getTransaction",
            writer =>
            {
                writer.WriteStringValue(signature);
                writer.WriteStartObject();
                RpcRequestWriter.WriteCommitment(writer, commitment);
                writer.WriteString("encoding", "json");
                writer.WriteNumber("maxSupportedTransactionVersion", 0);
                writer.WriteEndObject();
            },
            result => result.ValueKind == JsonValueKind.Null ? null : TransactionReader.Read(result),
            ct);
    }

    /// <summary>getSlot: the slot the node has reached at the commitment.</summary>
    public Task<ulong> GetSlotAsync(RpcCommitment commitment = default, CancellationToken ct = default)
    {
        return SendAsync(
            "getSlot",
            writer =>
            {
                if (commitment != RpcCommitment.Default)
                {
                    WriteConfig(writer, commitment, encoding: null);
                }
            },
            result => RpcJson.U64(result, "result"),
            ct);
    }

    public void Dispose()
    {
        if (!_disposed)
        {
            _disposed = true;
            _http.Dispose();
        }
    }

    private static RpcResult<IReadOnlyList<RpcKeyedAccount>> KeyedAccounts(JsonElement result)
    {
        return RpcJson.ContextValue<IReadOnlyList<RpcKeyedAccount>>(result, (value, path) => RpcJson.List(value, path, RpcJson.KeyedAccount));
    }

    private static void WriteConfig(Utf8JsonWriter writer, RpcCommitment commitment, string? encoding)
    {
        writer.WriteStartObject();
        RpcRequestWriter.WriteCommitment(writer, commitment);
        if (encoding is not null)
        {
            writer.WriteString("encoding", encoding);
        }

        writer.WriteEndObject();
    }

    private static bool IsBase58(string text)
    {
        Span<byte> scratch = stackalloc byte[128];
        return text.Length <= 128 && Base58.TryDecode(text, scratch, out _);
    }

    private async Task<T> SendAsync<T>(string method, Action<Utf8JsonWriter> writeParams, Func<JsonElement, T> parse, CancellationToken ct)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        long started = Stopwatch.GetTimestamp();
        string outcome = "transport_error";
        try
        {
            T value = await SendWithRetriesAsync(method, writeParams, parse, ct).ConfigureAwait(false);
            outcome = "success";
            return value;
        }
        catch (SolanaRpcException ex)
        {
            outcome = ex.Code is null ? "invalid_response" : "rpc_error";
            throw;
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            outcome = "canceled";
            throw;
        }
        finally
        {
            _metrics.Request(method, outcome, Stopwatch.GetElapsedTime(started).TotalSeconds);
        }
    }

    private async Task<T> SendWithRetriesAsync<T>(string method, Action<Utf8JsonWriter> writeParams, Func<JsonElement, T> parse, CancellationToken ct)
    {
        for (int attempt = 1; ; attempt++)
        {
            long id = Interlocked.Increment(ref _nextId);
            byte[] body = RpcRequestWriter.Build(id, method, writeParams);
            string reason;
            int? status = null;
            TimeSpan? retryAfter = null;
            Exception? failure = null;
            using (var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct))
            {
                timeout.CancelAfter(_options.RequestTimeout);
                try
                {
                    using var request = new HttpRequestMessage(HttpMethod.Post, _endpoint);
                    request.Content = new ByteArrayContent(body);
                    request.Content.Headers.ContentType = JsonContentType;
                    using HttpResponseMessage response = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, timeout.Token).ConfigureAwait(false);
                    status = (int)response.StatusCode;
                    if (response.IsSuccessStatusCode)
                    {
                        byte[] reply = await response.Content.ReadAsByteArrayAsync(timeout.Token).ConfigureAwait(false);
                        return Interpret(method, id, reply, parse);
                    }

                    if (status is not (429 or >= 500))
                    {
                        byte[] reply = await response.Content.ReadAsByteArrayAsync(timeout.Token).ConfigureAwait(false);
                        ThrowIfRpcError(method, reply);
                        RpcLog.TransportFailed(_logger, method, _endpointText, attempt, "status not retried", status);
                        throw new SolanaRpcTransportException(
                            method, $"{method}: {_endpointText} answered HTTP {status} ({response.ReasonPhrase}); not retried", status, attempt, null);
                    }

                    reason = status == 429 ? "rate_limited" : "server_error";
                    retryAfter = RetryAfter(response);
                }
                catch (OperationCanceledException ex) when (!ct.IsCancellationRequested)
                {
                    reason = "timeout";
                    failure = new TimeoutException($"{method}: no complete reply within {_options.RequestTimeout.TotalSeconds:0.###} s", ex);
                }
                catch (HttpRequestException ex)
                {
                    reason = "connection";
                    failure = ex;
                }
                catch (IOException ex)
                {
                    reason = "connection";
                    failure = ex;
                }
                catch (SolanaRpcException ex) when (ex.Code == NodeUnhealthyCode && attempt <= _options.MaxRetries)
                {
                    reason = "node_behind";
                    failure = ex;
                }
            }

            if (attempt > _options.MaxRetries)
            {
                RpcLog.TransportFailed(_logger, method, _endpointText, attempt, reason, status);
                string detail = status is { } s ? $"last HTTP status {s}" : $"last failure: {failure?.Message}";
                throw new SolanaRpcTransportException(
                    method, $"{method}: {_endpointText} failed {attempt} time(s) ({reason}; {detail})", status, attempt, failure);
            }

            TimeSpan delay = Backoff.Delay(_options, attempt, retryAfter);
            _metrics.Retry(method, reason);
            RpcLog.RetryScheduled(_logger, method, _endpointText, attempt, reason, status, (long)delay.TotalMilliseconds);
            await Task.Delay(delay, ct).ConfigureAwait(false);
        }
    }

    private static TimeSpan? RetryAfter(HttpResponseMessage response)
    {
        RetryConditionHeaderValue? header = response.Headers.RetryAfter;
        if (header?.Delta is { } delta)
        {
            return delta;
        }

        if (header?.Date is { } date)
        {
            TimeSpan wait = date - DateTimeOffset.UtcNow;
            return wait < TimeSpan.Zero ? TimeSpan.Zero : wait;
        }

        return null;
    }

    private T Interpret<T>(string method, long id, byte[] reply, Func<JsonElement, T> parse)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(reply);
        }
        catch (JsonException ex)
        {
            throw Unusable(method, $"the reply is not JSON: {Preview(reply)}", ex);
        }

        using (document)
        {
            JsonElement root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                throw Unusable(method, $"the reply is {RpcJson.Kind(root)}, not a JSON-RPC response object");
            }

            if (TryReadError(method, root) is { } error)
            {
                throw error;
            }

            if (!root.TryGetProperty("id", out JsonElement replyId) || replyId.ValueKind != JsonValueKind.Number
                || !replyId.TryGetInt64(out long number) || number != id)
            {
                string got = root.TryGetProperty("id", out JsonElement any) ? any.GetRawText() : "no id";
                throw Unusable(method, $"the reply's id ({Preview(Encoding.UTF8.GetBytes(got))}) is not the request's id {id}");
            }

            if (!root.TryGetProperty("result", out JsonElement result))
            {
                throw Unusable(method, "the reply has neither result nor error");
            }

            try
            {
                return parse(result);
            }
            catch (RpcFormatException ex)
            {
                throw Unusable(method, ex.Message, ex);
            }
        }
    }

    private void ThrowIfRpcError(string method, byte[] reply)
    {
        try
        {
            using JsonDocument document = JsonDocument.Parse(reply);
            if (TryReadError(method, document.RootElement) is { } error)
            {
                throw error;
            }
        }
        catch (JsonException)
        {
            // Not a JSON-RPC body: the HTTP status is the error.
        }
    }

    private SolanaRpcException? TryReadError(string method, JsonElement root)
    {
        if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty("error", out JsonElement error) || error.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        if (error.ValueKind != JsonValueKind.Object
            || !error.TryGetProperty("code", out JsonElement code) || !code.TryGetInt32(out int codeValue))
        {
            return Unusable(method, $"the reply's error is not a JSON-RPC error object: {Preview(Encoding.UTF8.GetBytes(error.GetRawText()))}");
        }

        string message = error.TryGetProperty("message", out JsonElement text) && text.ValueKind == JsonValueKind.String
            ? text.GetString() ?? string.Empty
            : string.Empty;
        RpcLog.RpcError(_logger, method, _endpointText, codeValue, message);
        return new SolanaRpcException(method, codeValue, message, RpcJson.RawOrNull(error, "data"));
    }

    private SolanaRpcException Unusable(string method, string detail, Exception? inner = null)
    {
        RpcLog.InvalidResponse(_logger, method, _endpointText, detail);
        return new SolanaRpcException(method, null, detail, null, inner);
    }

    private static string Preview(byte[] reply)
    {
        return reply.Length == 0 ? "an empty body" : ErrorText.Quote(Encoding.UTF8.GetString(reply, 0, Math.Min(reply.Length, 200)));
    }
}
