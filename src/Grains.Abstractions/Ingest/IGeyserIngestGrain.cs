namespace AccountGrains;

/// <summary>What the ingest is doing: which source, how much it has read, where it is.</summary>
public sealed record IngestStatus(
    string Source,
    bool Running,
    bool Completed,
    long UpdatesRead,
    long RecordsRejected,
    ulong LastSlot,
    string? LastError);

/// <summary>
/// The cluster's single reader of the upstream feed (Yellowstone, RPC websockets or a replay file): routes every
/// account update to its account grain. Keyed <see cref="DefaultKey"/>.
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
}
