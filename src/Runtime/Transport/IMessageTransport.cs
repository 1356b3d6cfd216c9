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
}

/// <summary>A running consumer of one partition.</summary>
public interface IPartitionConsumer : IAsyncDisposable
{
    int Partition { get; }

    /// <summary>Stops taking new messages after delivering everything already queued, then ends.</summary>
    Task DrainAsync(CancellationToken cancellationToken);
}
