namespace AccountGrains;

/// <summary>
/// One raw account write as an upstream feed reports it (Yellowstone, RPC websocket or a replay file).
/// <paramref name="Pubkey"/> and <paramref name="Owner"/> are base58; <paramref name="ReceivedAt"/> is when the ingest
/// read it.
/// </summary>
public sealed record AccountUpdate(
    string Pubkey,
    string Owner,
    ulong Lamports,
    byte[] Data,
    bool Executable,
    ulong RentEpoch,
    ulong Slot,
    ulong WriteVersion,
    string? TxnSignature,
    DateTimeOffset ReceivedAt)
{
    public StreamToken Token => new(Slot, WriteVersion);
}
