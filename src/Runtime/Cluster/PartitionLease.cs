namespace AccountGrains.Runtime.Cluster;

/// <summary>One row of the lease table: who owns <paramref name="Partition"/>, at which epoch, until when (database clock).</summary>
public sealed record PartitionLease(int Partition, string? Owner, long Epoch, DateTimeOffset ExpiresAt);

/// <summary>Why a silo stopped owning a partition.</summary>
public enum LeaseLossReason
{
    /// <summary>Given back to make room for other silos (more than the fair share was owned).</summary>
    Released,

    /// <summary>The database refused the renewal: the row no longer names this silo at this epoch.</summary>
    Refused,

    /// <summary>
    /// No renewal succeeded in time: given up by the local clock at last renewal + lease duration - safety margin,
    /// before the database lets another silo take it.
    /// </summary>
    Expired,

    /// <summary>Handed back because the silo stops gracefully.</summary>
    Stopping,
}

/// <summary>A partition this silo now owns. Every state write for it carries <see cref="Epoch"/>.</summary>
public sealed class PartitionAcquiredEventArgs(int partition, long epoch) : EventArgs
{
    public int Partition { get; } = partition;

    public long Epoch { get; } = epoch;
}

/// <summary>A partition this silo no longer owns: stop processing it now.</summary>
public sealed class PartitionLostEventArgs(int partition, long epoch, LeaseLossReason reason) : EventArgs
{
    public int Partition { get; } = partition;

    public long Epoch { get; } = epoch;

    public LeaseLossReason Reason { get; } = reason;
}

internal static class LeaseLossReasonExtensions
{
    public static string ToTagValue(this LeaseLossReason reason) => reason switch
    {
        LeaseLossReason.Released => "released",
        LeaseLossReason.Refused => "refused",
        LeaseLossReason.Expired => "expired",
        _ => "stopping",
    };
}
