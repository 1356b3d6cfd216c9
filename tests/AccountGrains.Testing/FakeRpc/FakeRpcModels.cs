namespace AccountGrains.Testing.FakeRpc;

/// <summary>An account the fake node holds; <paramref name="Owner"/> is the owning program's base58 id.</summary>
public sealed record FakeAccount(string Owner, ulong Lamports, byte[] Data, bool Executable = false, ulong RentEpoch = ulong.MaxValue);

/// <summary>One getSignaturesForAddress entry; <paramref name="ErrorJson"/> is the raw JSON of err (null = success).</summary>
public sealed record FakeSignature(
    string Signature, ulong Slot, string? ErrorJson = null, string? Memo = null, long? BlockTime = null, string? ConfirmationStatus = "finalized");

/// <summary>A token balance in a transaction's meta.</summary>
public sealed record FakeTokenBalance(int AccountIndex, string Mint, string Owner, string ProgramId, string Amount, int Decimals);

/// <summary>
/// A transaction getTransaction returns. <paramref name="Version"/> null renders a legacy transaction; 0 a v0 one
/// (which a request without maxSupportedTransactionVersion gets error -32015 for, like a real node). A v0 transaction
/// with loaded addresses renders one address table lookup, <paramref name="LookupTable"/>, that yields them.
/// </summary>
public sealed record FakeTransaction(
    ulong Slot,
    IReadOnlyList<string> Signatures,
    IReadOnlyList<string> StaticAccountKeys,
    ulong Fee = 5000,
    string? ErrorJson = null,
    long? BlockTime = null,
    IReadOnlyList<string>? LoadedWritable = null,
    IReadOnlyList<string>? LoadedReadonly = null,
    IReadOnlyList<ulong>? PreBalances = null,
    IReadOnlyList<ulong>? PostBalances = null,
    IReadOnlyList<FakeTokenBalance>? PreTokenBalances = null,
    IReadOnlyList<FakeTokenBalance>? PostTokenBalances = null,
    IReadOnlyList<string>? LogMessages = null,
    int? Version = 0,
    string LookupTable = "AddressLookupTab1e1111111111111111111111111");

/// <summary>
/// One JSON-RPC call the HTTP side received (a JSON-RPC batch array records each call with its <see cref="BatchSize"/>).
/// <see cref="Method"/> is "&lt;invalid&gt;" when the body was not a JSON-RPC request.
/// </summary>
public sealed record RecordedRequest(
    DateTimeOffset ReceivedAt, string Method, string ParamsJson, int BatchSize, string PathAndQuery, IReadOnlyDictionary<string, string> Headers);

/// <summary>A subscription one websocket connection holds.</summary>
public sealed record FakeSubscription(ulong Id, string Method, string? Key, string ParamsJson);

/// <summary>What the next HTTP request(s) get instead of a normal answer (see <see cref="FakeSolanaRpcServer.FailNext"/>).</summary>
public sealed record FakeFailure
{
    private FakeFailure()
    {
    }

    public int? StatusCode { get; private init; }

    public string? RetryAfter { get; private init; }

    public string? Body { get; private init; }

    public TimeSpan? Delay { get; private init; }

    public int? RpcErrorCode { get; private init; }

    public string? RpcErrorMessage { get; private init; }

    public string? RpcErrorDataJson { get; private init; }

    /// <summary>An HTTP status (429, 500, 503, 401…) with an optional Retry-After header value ("2" or an HTTP date) and body.</summary>
    public static FakeFailure Status(int statusCode, string? retryAfter = null, string? body = null)
    {
        return new FakeFailure { StatusCode = statusCode, RetryAfter = retryAfter, Body = body ?? string.Empty };
    }

    /// <summary>HTTP 200 with this body (not JSON, or JSON that is no JSON-RPC reply).</summary>
    public static FakeFailure Garbage(string body = "<html>502 Bad Gateway</html>")
    {
        return new FakeFailure { StatusCode = 200, Body = body };
    }

    /// <summary>Waits this long, then answers normally (a slow node).</summary>
    public static FakeFailure Slow(TimeSpan delay)
    {
        return new FakeFailure { Delay = delay };
    }

    /// <summary>A JSON-RPC error object for the call (HTTP 200), e.g. -32005 "Node is behind by 42 slots".</summary>
    public static FakeFailure RpcError(int code, string message, string? dataJson = null)
    {
        return new FakeFailure { RpcErrorCode = code, RpcErrorMessage = message, RpcErrorDataJson = dataJson };
    }
}
