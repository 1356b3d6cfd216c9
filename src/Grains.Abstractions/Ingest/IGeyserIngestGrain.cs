namespace AccountGrains;

/// <summary>What the ingest is doing: which source, how much it has read, where it is, how its upstream fares.</summary>
/// <param name="Source">What the source reads from (never a secret).</param>
/// <param name="Running">The read loop is running.</param>
/// <param name="Completed">The source ended by itself (a replay file without loop).</param>
/// <param name="UpdatesRead">Account updates handed to grains.</param>
/// <param name="RecordsRejected">Upstream records rejected as malformed.</param>
/// <param name="LastSlot">The highest slot of an account update handed on.</param>
/// <param name="LastError">Why the loop stopped, when it failed.</param>
/// <param name="Upstream">The live connection: <c>connected</c>, <c>connecting</c>, <c>reconnecting</c>, or <c>none</c> for a file.</param>
/// <param name="Reconnects">How often the upstream stream was lost and opened again.</param>
/// <param name="Gaps">Slot ranges the upstream could not replay after a loss (logged and re-read over RPC).</param>
/// <param name="InterestCount">Entries in the interest set.</param>
public sealed record IngestStatus(
    string Source,
    bool Running,
    bool Completed,
    long UpdatesRead,
    long RecordsRejected,
    ulong LastSlot,
    string? LastError,
    string Upstream = "none",
    long Reconnects = 0,
    long Gaps = 0,
    int InterestCount = 0);

/// <summary>
/// The cluster's single reader of the upstream feed (Yellowstone, RPC websockets or a replay file): routes every
/// account update to its account grain, and owns the <i>interest set</i> (accounts, programs with filters, wallets)
/// that the upstream subscription is built from. Keyed <see cref="DefaultKey"/>.
/// </summary>
[GrainType("ingest")]
public interface IGeyserIngestGrain : IGrain
{
    public const string DefaultKey = "default";

    /// <summary>Starts reading the configured source; does nothing when already reading.</summary>
    Task StartAsync();

    /// <summary>Stops reading and waits until the updates already read have been handed on.</summary>
    Task StopAsync();

    Task<IngestStatus> GetStatusAsync();

    /// <summary>
    /// Adds <paramref name="interest"/> to the interest set (persisted) and so to the upstream subscription.
    /// Returns false when it was already there. Throws <see cref="ArgumentException"/> for an invalid interest
    /// (bad base58, too many filters) and <see cref="InvalidOperationException"/> past the configured limit.
    /// </summary>
    Task<bool> AddInterestAsync(Interest interest);

    /// <summary>Removes the interest with <paramref name="interestId"/>; false when there was none.</summary>
    Task<bool> RemoveInterestAsync(string interestId);

    /// <summary>The interest set, ordered by id.</summary>
    Task<IReadOnlyList<Interest>> GetInterestAsync();

    /// <summary>Each upstream subscription and its state (active, pending, disconnected, failed); empty for a file.</summary>
    Task<IReadOnlyList<SubscriptionStatus>> GetSubscriptionsAsync();
}
