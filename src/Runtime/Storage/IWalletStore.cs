namespace AccountGrains.Runtime.Storage;

/// <summary>
/// What wallet grains keep across restarts: each wallet's state (trackers, balances, holdings, sinks), its recent
/// activity, and notifications given up on (dead letters). Tables <c>wallets</c>, <c>wallet_activity</c> and
/// <c>notification_dead_letters</c> in the account database.
/// </summary>
public interface IWalletStore
{
    /// <summary>The stored state of <paramref name="address"/> with sinks' secrets, or null when it was never saved.</summary>
    Task<WalletState?> ReadWalletAsync(string address, CancellationToken cancellationToken);

    /// <summary>Inserts or replaces the wallet's state.</summary>
    Task SaveWalletAsync(WalletState wallet, CancellationToken cancellationToken);

    /// <summary>Records one transaction of a wallet; false (and nothing changed) when its signature is stored for that wallet already.</summary>
    Task<bool> AddActivityAsync(WalletActivityEntry activity, CancellationToken cancellationToken);

    /// <summary>
    /// Activity of <paramref name="address"/>, newest first (by slot, then by when it was recorded), at most
    /// <see cref="ActivityQuery.Limit"/>; with <see cref="ActivityQuery.Before"/> only entries older than that
    /// signature's. An unknown <c>Before</c> signature gives an empty page.
    /// </summary>
    Task<IReadOnlyList<WalletActivityEntry>> ReadActivityAsync(string address, ActivityQuery query, CancellationToken cancellationToken);

    /// <summary>Deletes all but the newest <paramref name="keep"/> entries of the wallet; returns how many went.</summary>
    Task<int> PruneActivityAsync(string address, int keep, CancellationToken cancellationToken);

    Task AddDeadLetterAsync(NotificationDeadLetter letter, CancellationToken cancellationToken);

    /// <summary>Dead letters newest first, at most <paramref name="limit"/>; of one wallet when <paramref name="wallet"/> is set.</summary>
    Task<IReadOnlyList<NotificationDeadLetter>> ReadDeadLettersAsync(string? wallet, int limit, CancellationToken cancellationToken);
}
