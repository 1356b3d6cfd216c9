using Microsoft.Extensions.Logging;

namespace AccountGrains.Client.Cluster.Internal;

internal static partial class ClusterClientLog
{
    [LoggerMessage(7001, LogLevel.Information, "Cluster client {MemberId} connected ({PartitionCount} partitions)")]
    public static partial void Connected(ILogger logger, string memberId, int partitionCount);

    [LoggerMessage(7002, LogLevel.Information, "Cluster client {MemberId} left the cluster")]
    public static partial void Left(ILogger logger, string memberId);

    [LoggerMessage(7003, LogLevel.Warning, "Leaving the cluster failed for client {MemberId}; the others declare it dead after DeadAfter")]
    public static partial void LeaveFailed(ILogger logger, string memberId, Exception exception);

    [LoggerMessage(7004, LogLevel.Critical, "Cluster client {MemberId} was declared dead by the cluster and stops serving calls: dispose it and connect again")]
    public static partial void Stopped(ILogger logger, string memberId);

    [LoggerMessage(7005, LogLevel.Warning, "The handler of subscription {Stream} failed on {Pubkey} at {Token}; the subscription goes on")]
    public static partial void HandlerFailed(ILogger logger, string stream, string pubkey, string token, Exception exception);

    [LoggerMessage(7006, LogLevel.Warning, "The handler of subscription {Stream} fell {Waiting} states behind: kept the newest per account, {Skipped} skipped so far")]
    public static partial void Collapsed(ILogger logger, string stream, int waiting, long skipped);

    [LoggerMessage(7007, LogLevel.Debug, "Ending subscription {Stream} at the broker failed (it goes with the connection)")]
    public static partial void UnsubscribeFailed(ILogger logger, string stream, Exception exception);

    [LoggerMessage(7008, LogLevel.Information, "Stream subscriptions are back after a broker reconnect: re-reading {Accounts} accounts; {Programs} program subscriptions may have missed changes meanwhile")]
    public static partial void Rereading(ILogger logger, int accounts, int programs);

    [LoggerMessage(7009, LogLevel.Warning, "Re-reading account {Pubkey} after a broker reconnect failed; its subscribers get its next change")]
    public static partial void RereadFailed(ILogger logger, string pubkey, Exception exception);

    [LoggerMessage(7010, LogLevel.Warning, "The handler of wallet subscription {Stream} failed on event {Sequence}; the subscription goes on")]
    public static partial void WalletHandlerFailed(ILogger logger, string stream, long sequence, Exception exception);

    [LoggerMessage(7011, LogLevel.Warning, "Re-reading wallet {Address} after a broker reconnect failed; its subscribers get its next event")]
    public static partial void WalletRereadFailed(ILogger logger, string address, Exception exception);
}
