using System.Globalization;
using RabbitMQ.Client;

namespace AccountGrains.Runtime.Transport.RabbitMq;

/// <summary>
/// The cluster's partition queues <c>partition.0</c> .. <c>partition.P-1</c> (after <see cref="RabbitMqOptions.Prefix"/>):
/// durable, single active consumer (a second fence besides the partition leases: two silos that both believe they
/// own a partition still cannot both consume it), persistent messages published with confirms, and request/reply
/// over direct reply-to. Payloads are bytes; grain message serialization sits above this.
/// </summary>
public sealed class PartitionQueues : IRestorable, IAsyncDisposable
{
    private readonly RabbitMqConnection _connection;
    private readonly ConfirmingPublisher _publisher;
    private readonly DirectReplyTo _requests;
    private readonly string[] _names;

    private PartitionQueues(RabbitMqConnection connection, int partitionCount)
    {
        _connection = connection;
        PartitionCount = partitionCount;
        _names = new string[partitionCount];
        for (var p = 0; p < partitionCount; p++)
        {
            _names[p] = connection.Name("partition." + p.ToString(CultureInfo.InvariantCulture));
        }

        _publisher = new ConfirmingPublisher(connection, "publisher of " + Part);
        _requests = new DirectReplyTo(connection);
    }

    public int PartitionCount { get; }

    public string Part => PartitionCount == 1 ? $"partition queue {_names[0]}" : $"partition queues {_names[0]}..{_names[^1]}";

    /// <summary>Declares the partition queues (idempotent) and keeps them declared across reconnects.</summary>
    public static async Task<PartitionQueues> DeclareAsync(RabbitMqConnection connection, int partitionCount, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(connection);
        ArgumentOutOfRangeException.ThrowIfLessThan(partitionCount, 1);
        var queues = new PartitionQueues(connection, partitionCount);
        try
        {
            await queues.DeclareQueuesAsync(cancellationToken).ConfigureAwait(false);
            await queues._requests.StartAsync(cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            await queues.DisposeAsync().ConfigureAwait(false);
            throw;
        }

        connection.Register(queues);
        connection.Register(queues._requests);
        RabbitMqLog.PartitionsDeclared(connection.Logger, partitionCount, connection.Options.QueueType.ToString(), queues._names[0], queues._names[^1]);
        return queues;
    }

    /// <summary>The queue name of <paramref name="partition"/>.</summary>
    public string QueueName(int partition)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(partition);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(partition, PartitionCount);
        return _names[partition];
    }

    /// <summary>
    /// Publishes a persistent message to <paramref name="partition"/>; completes when the broker has confirmed it
    /// (stored it). Messages are queued in call order; many publishes are in flight at once and confirmed together,
    /// so a caller that needs throughput starts many and awaits them together. <paramref name="body"/> must stay
    /// unchanged until the task completes. Fails with <see cref="TimeoutException"/> after
    /// <see cref="RabbitMqOptions.ConfirmTimeout"/> (reconnects included).
    /// </summary>
    public Task PublishAsync(int partition, ReadOnlyMemory<byte> body, IDictionary<string, object?>? headers = null)
    {
        var properties = new BasicProperties { Persistent = true, Headers = headers };
        return _publisher.PublishAsync("", QueueName(partition), properties, body, mandatory: true);
    }

    /// <summary>
    /// Consumes <paramref name="partition"/> until the returned consumer is stopped. See <see cref="PartitionConsumer"/>:
    /// a message is acknowledged after <paramref name="handler"/>'s task completes, and requeued when it fails.
    /// </summary>
    /// <remarks><c>maxInFlight</c>: how many handler tasks may be pending at once (at most the prefetch); 1 handles strictly one at a time.</remarks>
    public Task<PartitionConsumer> ConsumeAsync(
        int partition, Func<DeliveredMessage, Task> handler, int maxInFlight = 1, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(handler);
        return ConsumeAsync(partition, delivery => ValueTask.FromResult(handler(delivery)), maxInFlight, cancellationToken);
    }

    /// <summary>
    /// Consumes in two steps: awaiting <paramref name="handler"/> is taking the message (the next one is not handed
    /// over before, which keeps the partition's order), and the task it returns is the message's effect: the message
    /// is acknowledged when that completes and requeued when it fails, while the following messages are taken.
    /// </summary>
    public async Task<PartitionConsumer> ConsumeAsync(
        int partition, Func<DeliveredMessage, ValueTask<Task>> handler, int maxInFlight, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(handler);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxInFlight, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(maxInFlight, _connection.Options.Prefetch);
        var consumer = new PartitionConsumer(_connection, partition, QueueName(partition), handler, maxInFlight, _requests.ReplyAsync);
        await consumer.StartAsync(cancellationToken).ConfigureAwait(false);
        return consumer;
    }

    /// <summary>
    /// Sends a request to <paramref name="partition"/> and waits for the consumer's <see cref="DeliveredMessage.ReplyAsync"/>.
    /// Requests are not persistent and expire in the queue with <paramref name="timeout"/>: a caller that gave up
    /// wants no work done for it. Throws <see cref="TimeoutException"/> when no reply comes in time.
    /// </summary>
    public Task<ReadOnlyMemory<byte>> RequestAsync(
        int partition, ReadOnlyMemory<byte> body, TimeSpan timeout, IDictionary<string, object?>? headers = null, CancellationToken cancellationToken = default) =>
        _requests.RequestAsync(partition, QueueName(partition), body, timeout, headers, cancellationToken);

    /// <summary>Deletes the partition queues and the messages in them (tests, tear-down of a whole cluster).</summary>
    public async Task DeleteAsync(CancellationToken cancellationToken = default)
    {
        _connection.Unregister(this);
        var channel = await _connection.CreateChannelAsync(confirms: false, cancellationToken).ConfigureAwait(false);
        try
        {
            foreach (var name in _names)
            {
                await channel.QueueDeleteAsync(name, ifUnused: false, ifEmpty: false, cancellationToken: cancellationToken).ConfigureAwait(false);
            }
        }
        finally
        {
            await ChannelCloser.CloseQuietlyAsync(channel).ConfigureAwait(false);
        }
    }

    Task IRestorable.RestoreAsync(CancellationToken cancellationToken) => DeclareQueuesAsync(cancellationToken);

    private async Task DeclareQueuesAsync(CancellationToken cancellationToken)
    {
        var arguments = new Dictionary<string, object?>
        {
            ["x-queue-type"] = _connection.Options.QueueType == RabbitMqQueueType.Quorum ? "quorum" : "classic",
            ["x-single-active-consumer"] = true,
        };
        var channel = await _connection.CreateChannelAsync(confirms: false, cancellationToken).ConfigureAwait(false);
        try
        {
            foreach (var name in _names)
            {
                await channel.QueueDeclareAsync(name, durable: true, exclusive: false, autoDelete: false, arguments, cancellationToken: cancellationToken)
                    .ConfigureAwait(false);
            }
        }
        finally
        {
            await ChannelCloser.CloseQuietlyAsync(channel).ConfigureAwait(false);
        }
    }

    public async ValueTask DisposeAsync()
    {
        _connection.Unregister(this);
        _connection.Unregister(_requests);
        await _publisher.DisposeAsync().ConfigureAwait(false);
        await _requests.DisposeAsync().ConfigureAwait(false);
    }
}
