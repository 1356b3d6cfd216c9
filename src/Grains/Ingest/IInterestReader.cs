namespace AccountGrains.Grains.Ingest;

/// <summary>
/// Reads the current state of everything an interest set covers, from a source that can answer for the present
/// (Solana RPC): followed accounts, the accounts of followed programs (with their filters), wallets and their token
/// accounts. Used to refill a gap the upstream cannot replay, and to load state on start.
/// </summary>
public interface IInterestReader
{
    /// <summary>What it reads from, for logs (never a secret).</summary>
    string Describe { get; }

    /// <summary>Every covered account as an update stamped with the slot the RPC node answered at.</summary>
    IAsyncEnumerable<AccountUpdate> ReadAsync(IReadOnlyList<Interest> interest, CancellationToken cancellationToken);
}
