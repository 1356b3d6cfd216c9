namespace AccountGrains.Solana.Rpc;

/// <summary>A getProgramAccounts / programSubscribe filter: the node returns only accounts that pass every filter.</summary>
public abstract record RpcFilter
{
    private RpcFilter()
    {
    }

    /// <summary>Accounts whose data is exactly <paramref name="Size"/> bytes.</summary>
    public sealed record DataSize(ulong Size) : RpcFilter;

    /// <summary>Accounts whose data holds <paramref name="Bytes"/> (base58) at <paramref name="Offset"/>.</summary>
    public sealed record Memcmp(int Offset, string Bytes) : RpcFilter;
}
