using Microsoft.Extensions.Logging;

namespace AccountGrains.Runtime;

/// <summary>All runtime log lines, source-generated, with stable event ids (1000-1999).</summary>
internal static partial class RuntimeLog
{
    [LoggerMessage(1001, LogLevel.Error, "Grain {GrainId} could not be activated")]
    public static partial void ActivationFailed(ILogger logger, GrainId grainId, Exception exception);

    [LoggerMessage(1002, LogLevel.Warning, "Grain {GrainId} failed while deactivating")]
    public static partial void DeactivationFailed(ILogger logger, GrainId grainId, Exception exception);

    [LoggerMessage(1003, LogLevel.Warning, "One-way call {GrainId}.{Method} failed")]
    public static partial void OneWayCallFailed(ILogger logger, GrainId grainId, string method, Exception exception);

    [LoggerMessage(1004, LogLevel.Debug, "Collected {Collected} idle activations; {Remaining} remain")]
    public static partial void CollectedIdle(ILogger logger, int collected, int remaining);

    [LoggerMessage(1005, LogLevel.Error, "Delivering a message to {GrainId} from partition {Partition} failed")]
    public static partial void DeliveryFailed(ILogger logger, GrainId grainId, int partition, Exception exception);

    [LoggerMessage(1006, LogLevel.Warning, "A subscriber of stream {Stream} failed")]
    public static partial void StreamHandlerFailed(ILogger logger, string stream, Exception exception);

    [LoggerMessage(1007, LogLevel.Information, "Silo started: {PartitionCount} partitions owned, transport {Transport}")]
    public static partial void SiloStarted(ILogger logger, int partitionCount, string transport);

    [LoggerMessage(1008, LogLevel.Information, "Silo stopped: {Activations} activations deactivated in {ElapsedMs} ms")]
    public static partial void SiloStopped(ILogger logger, int activations, long elapsedMs);

    [LoggerMessage(1101, LogLevel.Information, "Storage {Provider} ready at {Location}: schema version {Version}")]
    public static partial void StorageReady(ILogger logger, string provider, string location, int version);

    [LoggerMessage(1102, LogLevel.Warning, "Writing {Count} account states failed (attempt {Attempt}); retrying in {DelayMs} ms")]
    public static partial void WriteBehindRetry(ILogger logger, int count, int attempt, long delayMs, Exception exception);

    [LoggerMessage(1104, LogLevel.Critical, "Storage still failing at shutdown: {Count} account states were not written after {Attempts} attempts")]
    public static partial void WriteBehindGaveUp(ILogger logger, int count, int attempts);

    [LoggerMessage(1103, LogLevel.Information, "Write-behind stopped; {Count} account states flushed on the way out")]
    public static partial void WriteBehindStopped(ILogger logger, int count);

    [LoggerMessage(1120, LogLevel.Debug, "Pruned {Count} account history entries written before {Cutoff}")]
    public static partial void HistoryPruned(ILogger logger, int count, DateTimeOffset cutoff);

    [LoggerMessage(1121, LogLevel.Warning, "Pruning the account history failed; trying again at the next interval")]
    public static partial void HistoryPruneFailed(ILogger logger, Exception exception);

    [LoggerMessage(1040, LogLevel.Warning, "An event on {RoutingKey} could not be read; skipped")]
    public static partial void UndecodableEvent(ILogger logger, string routingKey, Exception exception);

    [LoggerMessage(1042, LogLevel.Warning, "An event on {Stream} has subscribers, but none of them takes {EventType}; dropped")]
    public static partial void EventOfAnotherKind(ILogger logger, string eventType, string stream);

    [LoggerMessage(1041, LogLevel.Warning, "An event on {Stream} was not taken by RabbitMQ; subscribers see the next one, or re-read state when they reconnect")]
    public static partial void EventNotPublished(ILogger logger, string stream, Exception exception);
}
