namespace AccountGrains.Solana.Rpc;

/// <summary>
/// The request never got a JSON-RPC answer: connection failures, timeouts, HTTP 429 or 5xx after every retry, or an
/// HTTP status that is not retried (e.g. 401, 403). <see cref="StatusCode"/> is the last HTTP status seen, if any.
/// </summary>
public sealed class SolanaRpcTransportException : Exception
{
    public SolanaRpcTransportException()
        : this("Solana RPC transport failed")
    {
    }

    public SolanaRpcTransportException(string message)
        : this(message, null)
    {
    }

    public SolanaRpcTransportException(string message, Exception? innerException)
        : base(message, innerException)
    {
        Method = string.Empty;
    }

    public SolanaRpcTransportException(string method, string message, int? statusCode, int attempts, Exception? innerException)
        : base(message, innerException)
    {
        Method = method;
        StatusCode = statusCode;
        Attempts = attempts;
    }

    /// <summary>The JSON-RPC method that failed.</summary>
    public string Method { get; }

    /// <summary>The HTTP status of the last attempt; null when no response came (connection failure, timeout).</summary>
    public int? StatusCode { get; }

    /// <summary>How many times the request was sent.</summary>
    public int Attempts { get; }
}
