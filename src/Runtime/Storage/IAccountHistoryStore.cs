namespace AccountGrains.Runtime.Storage;

/// <summary>
/// The update history a store keeps when <see cref="Configuration.StorageOptions.HistoryRetention"/> is on: one row per
/// state that changed an account, written in the same transaction as the state.
/// </summary>
public interface IAccountHistoryStore
{
    /// <summary>The newest <paramref name="limit"/> history entries of <paramref name="pubkey"/>, newest first.</summary>
    Task<IReadOnlyList<AccountHistoryEntry>> ReadHistoryAsync(string pubkey, int limit, CancellationToken cancellationToken);

    /// <summary>Deletes the entries written before <paramref name="olderThan"/>; returns how many.</summary>
    Task<int> PruneHistoryAsync(DateTimeOffset olderThan, CancellationToken cancellationToken);
}

/// <summary>One state an account went through, and when it was stored.</summary>
public sealed record AccountHistoryEntry(
    string Pubkey,
    ulong Slot,
    ulong WriteVersion,
    string Owner,
    ulong Lamports,
    byte[] Data,
    string? TxnSignature,
    DateTimeOffset WrittenAt);
