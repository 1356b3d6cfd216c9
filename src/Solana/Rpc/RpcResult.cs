namespace AccountGrains.Solana.Rpc;

/// <summary>A value read at <paramref name="ContextSlot"/> (the slot the node evaluated the request at).</summary>
public sealed record RpcResult<T>(ulong ContextSlot, T Value);
