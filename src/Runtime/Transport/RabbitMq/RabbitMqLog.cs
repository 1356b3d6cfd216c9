using Microsoft.Extensions.Logging;

namespace AccountGrains.Runtime.Transport.RabbitMq;

/// <summary>RabbitMQ transport log lines, source-generated, with stable event ids (1300-1399).</summary>
internal static partial class RabbitMqLog
{
    [LoggerMessage(1300, LogLevel.Information, "RabbitMQ connected to {Broker}")]
    public static partial void Connected(ILogger logger, string broker);

    [LoggerMessage(1301, LogLevel.Warning, "RabbitMQ at {Broker} not reachable (attempt {Attempt}); retrying in {DelayMs} ms")]
    public static partial void ConnectFailed(ILogger logger, string broker, int attempt, long delayMs, Exception exception);

    [LoggerMessage(1302, LogLevel.Warning, "RabbitMQ connection to {Broker} lost: {Reason}; recovering every {DelayMs} ms")]
    public static partial void ConnectionLost(ILogger logger, string broker, string reason, long delayMs);

    [LoggerMessage(1303, LogLevel.Information, "RabbitMQ connection to {Broker} recovered; restoring {Count} queues, bindings and consumers")]
    public static partial void Recovered(ILogger logger, string broker, int count);

    [LoggerMessage(1304, LogLevel.Warning, "Restoring {Part} after a RabbitMQ reconnect failed (attempt {Attempt}); retrying")]
    public static partial void RestoreFailed(ILogger logger, string part, int attempt, Exception exception);

    [LoggerMessage(1305, LogLevel.Warning, "RabbitMQ recovery attempt failed")]
    public static partial void RecoveryAttemptFailed(ILogger logger, Exception exception);

    [LoggerMessage(1306, LogLevel.Information, "Declared {Count} {QueueType} partition queues {First}..{Last}")]
    public static partial void PartitionsDeclared(ILogger logger, int count, string queueType, string first, string last);

    [LoggerMessage(1307, LogLevel.Information, "Consuming {Queue}")]
    public static partial void ConsumerStarted(ILogger logger, string queue);

    [LoggerMessage(1308, LogLevel.Information, "Stopped consuming {Queue}; {Abandoned} messages left unacknowledged for redelivery")]
    public static partial void ConsumerStopped(ILogger logger, string queue, int abandoned);

    [LoggerMessage(1309, LogLevel.Warning, "Handling a message from {Queue} failed (redelivered {Redelivered}, delivery count {DeliveryCount}); it goes back to the queue")]
    public static partial void HandlerFailed(ILogger logger, string queue, bool redelivered, long? deliveryCount, Exception exception);

    [LoggerMessage(1310, LogLevel.Debug, "Message from {Queue} not acknowledged: its channel closed first, so the broker redelivers it")]
    public static partial void AckSkipped(ILogger logger, string queue);

    [LoggerMessage(1311, LogLevel.Warning, "{Count} publishes to {Target} not confirmed (attempt {Attempt}); publishing them again")]
    public static partial void PublishRetry(ILogger logger, int count, string target, int attempt, Exception exception);

    [LoggerMessage(1312, LogLevel.Debug, "Reply {CorrelationId} arrived after its request gave up; dropped")]
    public static partial void LateReplyDropped(ILogger logger, string correlationId);

    [LoggerMessage(1313, LogLevel.Warning, "An event subscriber's callback failed for {RoutingKey}; the event is skipped")]
    public static partial void EventCallbackFailed(ILogger logger, string routingKey, Exception exception);

    [LoggerMessage(1314, LogLevel.Warning, "Channel for {Part} closed by the broker: {Reason}; reopening")]
    public static partial void ChannelClosed(ILogger logger, string part, string reason);

    [LoggerMessage(1315, LogLevel.Information, "Event subscriber {Queue} restored with {Count} bindings; events published while it was away are missing")]
    public static partial void SubscriberRestored(ILogger logger, string queue, int count);

    [LoggerMessage(1316, LogLevel.Warning, "Message from partition {Partition} is not a grain call this silo can read (request {IsRequest}); acknowledged and dropped")]
    public static partial void UndecodableCall(ILogger logger, int partition, bool isRequest, Exception exception);

    [LoggerMessage(1317, LogLevel.Warning, "Reply to {Call} from partition {Partition} could not be sent; the caller times out")]
    public static partial void ReplyFailed(ILogger logger, string call, int partition, Exception exception);

    [LoggerMessage(1318, LogLevel.Error, "Consuming partition {Partition} could not start (attempt {Attempt}); its messages wait in the queue; retrying in {DelayMs} ms")]
    public static partial void ConsumeFailed(ILogger logger, int partition, int attempt, long delayMs, Exception exception);

    [LoggerMessage(1319, LogLevel.Warning, "Delivering {Call} from partition {Partition} failed; the caller gets the error")]
    public static partial void RequestDeliveryFailed(ILogger logger, string call, int partition, Exception exception);

    [LoggerMessage(1320, LogLevel.Error, "A one-way grain call was not confirmed by RabbitMQ; the sender is told at its next send or flush and resumes from what was stored")]
    public static partial void OneWayNotConfirmed(ILogger logger, Exception exception);

    [LoggerMessage(1321, LogLevel.Error, "{Call} came through partition {Partition} but its grain belongs to partition {Owner}: the sender's partition count is not the cluster's; acknowledged and not run (request {IsRequest})")]
    public static partial void MisroutedCall(ILogger logger, string call, int partition, int owner, bool isRequest);
}
