using Microsoft.Extensions.Logging;

namespace AccountGrains.Grains.Notifications;

/// <summary>
/// Log lines of notification delivery (event ids 2500-2519). Sinks appear as kind and scheme://host:port only: a
/// Discord webhook URL holds its token in the path.
/// </summary>
internal static partial class NotificationLog
{
    [LoggerMessage(2501, LogLevel.Information, "Notifications on: {GlobalSinks} global sinks, up to {MaxAttempts} attempts per notification, {QueueCapacity} queued per sink at most")]
    public static partial void Started(ILogger logger, int globalSinks, int maxAttempts, int queueCapacity);

    [LoggerMessage(2502, LogLevel.Information, "Notifications are off (AccountGrains:Notifications:Enabled is false): wallet activity is not sent anywhere")]
    public static partial void Disabled(ILogger logger);

    [LoggerMessage(2503, LogLevel.Warning, "Sink {Sink} is failing ({Error}); each notification is retried up to {MaxAttempts} times, then dead-lettered")]
    public static partial void SinkFailing(ILogger logger, string sink, string error, int maxAttempts);

    [LoggerMessage(2504, LogLevel.Information, "Sink {Sink} accepts notifications again after {FailedAttempts} failed attempts")]
    public static partial void SinkRecovered(ILogger logger, string sink, int failedAttempts);

    [LoggerMessage(2505, LogLevel.Debug, "Delivery {DeliveryId} to {Sink} failed on attempt {Attempt} ({Error}); retrying in {DelayMs} ms")]
    public static partial void Retrying(ILogger logger, string deliveryId, string sink, int attempt, string error, long delayMs);

    [LoggerMessage(2506, LogLevel.Warning, "Notification of transaction {Signature} for wallet {Wallet} to {Sink} given up after {Attempts} attempts: {Error}")]
    public static partial void GivenUp(ILogger logger, string signature, string wallet, string sink, int attempts, string error);

    [LoggerMessage(2507, LogLevel.Warning, "The queue of sink {Sink} is full ({QueueCapacity} waiting): its notifications become dead letters until it drains; raise AccountGrains:Notifications:QueueCapacity if the sink is only slow")]
    public static partial void QueueFull(ILogger logger, string sink, int queueCapacity);

    [LoggerMessage(2508, LogLevel.Warning, "Wallet {Wallet} has a sink that cannot be delivered to: {Problem}")]
    public static partial void InvalidSink(ILogger logger, string wallet, string problem);

    [LoggerMessage(2509, LogLevel.Error, "Storing the dead letter of transaction {Signature} for wallet {Wallet} to {Sink} failed; it is lost")]
    public static partial void DeadLetterNotStored(ILogger logger, string signature, string wallet, string sink, Exception exception);

    [LoggerMessage(2510, LogLevel.Error, "Too many dead letters waiting to be stored; the one of transaction {Signature} for wallet {Wallet} to {Sink} is lost")]
    public static partial void DeadLetterDropped(ILogger logger, string signature, string wallet, string sink);

    [LoggerMessage(2511, LogLevel.Warning, "Shutting down: {Waiting} notifications were not delivered within {DrainMs} ms; they become dead letters")]
    public static partial void DrainTimedOut(ILogger logger, int waiting, long drainMs);

    [LoggerMessage(2512, LogLevel.Error, "Delivering a notification to {Sink} failed unexpectedly; it becomes a dead letter and the sink goes on")]
    public static partial void DeliveryCrashed(ILogger logger, string sink, Exception exception);

    [LoggerMessage(2513, LogLevel.Debug, "Sink {Sink} was idle: its queue is released until its next notification")]
    public static partial void SinkReleased(ILogger logger, string sink);

    [LoggerMessage(2514, LogLevel.Debug, "Notification of transaction {Signature} for wallet {Wallet} refused: notifications have stopped")]
    public static partial void RefusedAfterStop(ILogger logger, string signature, string wallet);
}
