namespace AccountGrains;

/// <summary>
/// One tracked wallet, keyed by its base58 address: who tracks it, its SOL balance, its token holdings (SPL Token and
/// Token-2022 accounts it owns) and its activity (every transaction that involves it). Publishes every change on
/// <c>wallet.&lt;address&gt;</c> and hands new activity to the notification sinks. Tracking adds the wallet to the
/// ingest's interest set; the last untrack removes it.
/// </summary>
[GrainType("wallet")]
public interface IWalletGrain : IGrain
{
    /// <summary>
    /// Adds <see cref="WalletTrackRequest.Tracker"/> to the wallet's trackers (idempotent) and its sinks to the
    /// wallet's. Throws <see cref="ArgumentException"/> for an invalid address or sink and
    /// <see cref="InvalidOperationException"/> when the cap on tracked wallets is reached.
    /// </summary>
    Task<WalletState> TrackAsync(WalletTrackRequest request);

    /// <summary>Removes <paramref name="tracker"/> (or every tracker, for <see cref="WalletTrackRequest.AllTrackers"/>); the wallet stays known, untracked.</summary>
    Task<WalletState> UntrackAsync(string tracker);

    /// <summary>What the grain knows; secrets of sinks are replaced by <see cref="NotificationSink.RedactedSecret"/>.</summary>
    Task<WalletState> GetAsync();

    /// <summary>Activity newest first, older than <see cref="ActivityQuery.Before"/> when given.</summary>
    Task<IReadOnlyList<WalletActivityEntry>> GetActivityAsync(ActivityQuery query);

    /// <summary>Notifications of this wallet given up on (every retry failed, or refused), newest first; at most <paramref name="limit"/> (1 to <see cref="ActivityQuery.MaxLimit"/>).</summary>
    Task<IReadOnlyList<NotificationDeadLetter>> GetDeadLettersAsync(int limit);

    /// <summary>A transaction that involves the wallet; a signature already recorded is dropped.</summary>
    [OneWay]
    Task ApplyActivityAsync(WalletActivityEntry activity);

    /// <summary>The wallet's own account or a token account it owns changed.</summary>
    [OneWay]
    Task ApplyAccountAsync(AccountUpdate update);
}
