namespace AccountGrains.Solana.Rpc;

/// <summary>
/// The node answered, but not with a result: a JSON-RPC error object (<see cref="Code"/> set), or a reply the client
/// cannot use (not JSON, wrong id, missing or malformed fields; <see cref="Code"/> null).
/// </summary>
public sealed class SolanaRpcException : Exception
{
    public SolanaRpcException()
        : this("Solana RPC request failed")
    {
    }

    public SolanaRpcException(string message)
        : this(message, null)
    {
    }

    public SolanaRpcException(string message, Exception? innerException)
        : base(message, innerException)
    {
        Method = string.Empty;
        RpcMessage = message;
    }

    public SolanaRpcException(string method, int? code, string rpcMessage, string? data, Exception? innerException = null)
        : base(Describe(method, code, rpcMessage), innerException)
    {
        Method = method;
        Code = code;
        RpcMessage = rpcMessage;
        Data = data;
    }

    /// <summary>The JSON-RPC method that failed, e.g. getAccountInfo.</summary>
    public string Method { get; }

    /// <summary>The JSON-RPC error code (e.g. -32602 invalid params); null when the reply itself was unusable.</summary>
    public int? Code { get; }

    /// <summary>The node's error message, or what was wrong with the reply.</summary>
    public string RpcMessage { get; }

    /// <summary>The error object's data member as raw JSON, when there was one.</summary>
    public new string? Data { get; }

    private static string Describe(string method, int? code, string message)
    {
        return code is { } c
            ? $"{method} failed with JSON-RPC error {c}: {message}"
            : $"{method} got an unusable reply: {message}";
    }
}
