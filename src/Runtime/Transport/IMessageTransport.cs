using AccountGrains.Runtime.Messaging;

namespace AccountGrains.Runtime.Transport;

/// <summary>
/// Carries grain messages to the silo that owns their partition. Messages of one partition are delivered in the
/// order they were sent. In-process in embedded mode; RabbitMQ (one queue per partition) in a cluster.
/// </summary>
public interface IMessageTransport : IAsyncDisposable
{
    ValueTask SendAsync(int partition, GrainMessage message, CancellationToken cancellationToken = default);

    /// <summary>
    /// Starts consuming <paramref name="partition"/>: every message goes to <paramref name="handler"/>, one after the
    /// other. Disposing the result stops consuming after the message in hand.
    /// </summary>
    IPartitionConsumer Consume(int partition, Func<GrainMessage, CancellationToken, ValueTask> handler);

    /// <summary>
    /// Completes when every one-way message sent before the call is durably queued (the ingest checkpoints after it).
    /// In-process there is nothing more durable than the channel: completes at once.
    /// </summary>
    Task FlushAsync(CancellationToken cancellationToken = default) => Task.CompletedTask;
}

/// <summary>A running consumer of one partition.</summary>
public interface IPartitionConsumer : IAsyncDisposable
{
    int Partition { get; }

    /// <summary>Stops taking new messages after delivering everything already queued, then ends.</summary>
    Task DrainAsync(CancellationToken cancellationToken);

    /// <summary>
    /// The partition is no longer this silo's: stop handing messages to the runtime and acknowledging them at once,
    /// without waiting. What is in hand returns to the queue for the next owner when the consumer is disposed.
    /// </summary>
    void Fence();
}
