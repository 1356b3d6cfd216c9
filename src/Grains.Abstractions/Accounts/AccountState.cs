namespace AccountGrains;

/// <summary>The latest state of one account as its grain holds it.</summary>
public sealed record AccountState(
    string Pubkey,
    string Owner,
    ulong Lamports,
    byte[] Data,
    bool Executable,
    ulong RentEpoch,
    ulong Slot,
    ulong WriteVersion,
    string? TxnSignature,
    DecodedAccount Decoded,
    DateTimeOffset CreatedAt)
{
    public StreamToken Token => new(Slot, WriteVersion);

    /// <summary>A closed account is a state, not an error: zero lamports, owned by the system program, no data.</summary>
    public bool IsClosed => Lamports == 0;
}
