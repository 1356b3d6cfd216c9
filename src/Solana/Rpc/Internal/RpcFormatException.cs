namespace AccountGrains.Solana.Rpc.Internal;

/// <summary>A reply's JSON does not have the shape the method's result needs; the client turns it into a <see cref="SolanaRpcException"/> naming the method.</summary>
internal sealed class RpcFormatException : Exception
{
    public RpcFormatException()
    {
    }

    public RpcFormatException(string message)
        : base(message)
    {
    }

    public RpcFormatException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
