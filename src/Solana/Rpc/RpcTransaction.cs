namespace AccountGrains.Solana.Rpc;

/// <summary>
/// A confirmed transaction from getTransaction (encoding "json"). <see cref="AccountKeys"/> lists the message's static
/// keys, then the addresses loaded from lookup tables (writable, then readonly): the order balances and token balances
/// index into.
/// </summary>
public sealed record RpcTransaction(
    ulong Slot,
    long? BlockTime,
    IReadOnlyList<string> Signatures,
    IReadOnlyList<string> AccountKeys,
    ulong Fee,
    string? Error,
    IReadOnlyList<ulong> PreBalances,
    IReadOnlyList<ulong> PostBalances,
    IReadOnlyList<RpcTokenBalance> PreTokenBalances,
    IReadOnlyList<RpcTokenBalance> PostTokenBalances,
    IReadOnlyList<string> LogMessages)
{
    /// <summary>True when the transaction failed (<see cref="Error"/>, the raw JSON of meta.err, is not null).</summary>
    public bool Failed => Error is not null;
}

/// <summary>A token account's balance before or after a transaction; <paramref name="Amount"/> in base units, as a decimal string.</summary>
public sealed record RpcTokenBalance(int AccountIndex, string Mint, string? Owner, string? ProgramId, string Amount, int Decimals);
