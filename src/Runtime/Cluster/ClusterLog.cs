using Microsoft.Extensions.Logging;

namespace AccountGrains.Runtime.Cluster;

/// <summary>All cluster log lines, source-generated, with stable event ids (1200-1299).</summary>
internal static partial class ClusterLog
{
    [LoggerMessage(1201, LogLevel.Information, "Joined the cluster as {Kind} {MemberId}")]
    public static partial void Joined(ILogger logger, ClusterMemberKind kind, string memberId);

    [LoggerMessage(1202, LogLevel.Warning, "Heartbeat of {MemberId} failed; retrying")]
    public static partial void HeartbeatFailed(ILogger logger, string memberId, Exception exception);

    [LoggerMessage(1203, LogLevel.Warning, "Declared {Count} silent members dead: {Members}")]
    public static partial void DeclaredDead(ILogger logger, int count, string members);

    [LoggerMessage(1204, LogLevel.Critical, "Member {MemberId} was declared dead by the cluster and stops: {Reason}")]
    public static partial void Terminated(ILogger logger, string memberId, string reason);

    [LoggerMessage(1205, LogLevel.Information, "Left the cluster: {MemberId}")]
    public static partial void Left(ILogger logger, string memberId);

    [LoggerMessage(1206, LogLevel.Warning, "Leaving the cluster failed for {MemberId}; the row will be declared dead and cleaned up")]
    public static partial void LeaveFailed(ILogger logger, string memberId, Exception exception);

    [LoggerMessage(1207, LogLevel.Debug, "Deleted {Count} rows of members dead for longer than the cleanup delay")]
    public static partial void CleanedUp(ILogger logger, int count);

    [LoggerMessage(1208, LogLevel.Warning, "Membership maintenance failed (declaring dead members, cleanup); retrying")]
    public static partial void MaintenanceFailed(ILogger logger, Exception exception);

    [LoggerMessage(1220, LogLevel.Information, "Acquired partition {Partition} at epoch {Epoch}")]
    public static partial void LeaseAcquired(ILogger logger, int partition, long epoch);

    [LoggerMessage(1221, LogLevel.Warning, "Lost partition {Partition} at epoch {Epoch}: {Reason}")]
    public static partial void LeaseLost(ILogger logger, int partition, long epoch, LeaseLossReason reason);

    [LoggerMessage(1222, LogLevel.Information, "Released partition {Partition} at epoch {Epoch}: {Reason}")]
    public static partial void LeaseReleased(ILogger logger, int partition, long epoch, LeaseLossReason reason);

    [LoggerMessage(1223, LogLevel.Warning, "Renewing {Count} partition leases failed; each is given up at its local deadline unless a renewal succeeds")]
    public static partial void RenewFailed(ILogger logger, int count, Exception exception);

    [LoggerMessage(1224, LogLevel.Warning, "Rebalancing partition leases failed; retrying")]
    public static partial void RebalanceFailed(ILogger logger, Exception exception);

    [LoggerMessage(1225, LogLevel.Warning, "Releasing {Count} partition leases failed; they expire on their own")]
    public static partial void ReleaseFailed(ILogger logger, int count, Exception exception);

    [LoggerMessage(1226, LogLevel.Error, "A partition lease event handler failed for partition {Partition}")]
    public static partial void HandlerFailed(ILogger logger, int partition, Exception exception);

    [LoggerMessage(1227, LogLevel.Information, "Partition leases started for {MemberId}: {PartitionCount} partitions, lease {LeaseDuration}, renew every {RenewInterval}")]
    public static partial void LeasesStarted(ILogger logger, string memberId, int partitionCount, TimeSpan leaseDuration, TimeSpan renewInterval);
}
