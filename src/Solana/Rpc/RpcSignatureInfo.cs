namespace AccountGrains.Solana.Rpc;

/// <summary>One entry of getSignaturesForAddress; <paramref name="Failed"/> is true when the transaction's err was not null.</summary>
public sealed record RpcSignatureInfo(string Signature, ulong Slot, bool Failed, string? Memo, long? BlockTime, string? ConfirmationStatus);
