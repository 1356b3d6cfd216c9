using AccountGrains.Runtime.Messaging;
using AccountGrains.Runtime.Streams;
using AccountGrains.Runtime.Transport;

namespace AccountGrains.Runtime.Hosting.Cluster;

/// <summary>The grain transport of a cluster member: <see cref="RabbitMqCluster"/>'s, once it is open.</summary>
public sealed class ClusterTransport(RabbitMqCluster cluster) : IMessageTransport
{
    public ValueTask SendAsync(int partition, GrainMessage message, CancellationToken cancellationToken = default)
    {
        var ready = cluster.Ready;
        return ready.IsCompletedSuccessfully
            ? ready.Result.Transport.SendAsync(partition, message, cancellationToken)
            : SendWhenOpenAsync(ready, partition, message, cancellationToken);
    }

    private static async ValueTask SendWhenOpenAsync(Task<RabbitMqCluster.Parts> ready, int partition, GrainMessage message, CancellationToken cancellationToken)
    {
        var parts = await ready.WaitAsync(cancellationToken).ConfigureAwait(false);
        await parts.Transport.SendAsync(partition, message, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Only once open: the silo host starts consuming after opening the cluster.</summary>
    public IPartitionConsumer Consume(int partition, Func<GrainMessage, CancellationToken, ValueTask> handler) =>
        cluster.Ready.IsCompletedSuccessfully
            ? cluster.Ready.Result.Transport.Consume(partition, handler)
            : throw new InvalidOperationException("the cluster's RabbitMQ connection is not open yet");

    public async Task FlushAsync(CancellationToken cancellationToken = default)
    {
        var parts = await cluster.Ready.WaitAsync(cancellationToken).ConfigureAwait(false);
        await parts.Transport.FlushAsync(cancellationToken).ConfigureAwait(false);
    }

    public ValueTask DisposeAsync() => ValueTask.CompletedTask; // the cluster owns the transport
}

/// <summary>The stream provider of a cluster member: <see cref="RabbitMqCluster"/>'s, once it is open.</summary>
public sealed class ClusterStreamProvider : IResumableStreamProvider
{
    private readonly RabbitMqCluster _cluster;
    private Func<Task>? _resubscribed;
    private int _hooked;

    public ClusterStreamProvider(RabbitMqCluster cluster) => _cluster = cluster;

    public event Func<Task>? Resubscribed
    {
        add => _resubscribed += value;
        remove => _resubscribed -= value;
    }

    public async ValueTask PublishAsync(StreamId stream, AccountChanged change, CancellationToken cancellationToken = default)
    {
        var streams = await StreamsAsync(cancellationToken).ConfigureAwait(false);
        await streams.PublishAsync(stream, change, cancellationToken).ConfigureAwait(false);
    }

    public async ValueTask<IAsyncDisposable> SubscribeAsync(
        StreamId stream, Func<AccountChanged, ValueTask> handler, CancellationToken cancellationToken = default)
    {
        var streams = await StreamsAsync(cancellationToken).ConfigureAwait(false);
        return await streams.SubscribeAsync(stream, handler, cancellationToken).ConfigureAwait(false);
    }

    public async ValueTask PublishAsync(StreamId stream, WalletChanged change, CancellationToken cancellationToken = default)
    {
        var streams = await StreamsAsync(cancellationToken).ConfigureAwait(false);
        await streams.PublishAsync(stream, change, cancellationToken).ConfigureAwait(false);
    }

    public async ValueTask<IAsyncDisposable> SubscribeWalletAsync(
        StreamId stream, Func<WalletChanged, ValueTask> handler, CancellationToken cancellationToken = default)
    {
        var streams = await StreamsAsync(cancellationToken).ConfigureAwait(false);
        return await streams.SubscribeWalletAsync(stream, handler, cancellationToken).ConfigureAwait(false);
    }

    private async ValueTask<RabbitMqStreamProvider> StreamsAsync(CancellationToken cancellationToken)
    {
        var ready = _cluster.Ready;
        var streams = ready.IsCompletedSuccessfully
            ? ready.Result.Streams
            : (await ready.WaitAsync(cancellationToken).ConfigureAwait(false)).Streams;
        if (Interlocked.Exchange(ref _hooked, 1) == 0)
        {
            streams.Resubscribed += RaiseResubscribedAsync;
        }

        return streams;
    }

    /// <summary>
    /// Every handler, each awaited, in order; failures reported together once all have run. (Invoking the multicast
    /// delegate instead would await only the last handler's task, drop the others' failures, and skip the handlers
    /// after one that throws synchronously.)
    /// </summary>
    private async Task RaiseResubscribedAsync()
    {
        if (_resubscribed is not { } handlers)
        {
            return;
        }

        List<Exception>? failures = null;
        foreach (var handler in handlers.GetInvocationList().Cast<Func<Task>>())
        {
            try
            {
                await handler().ConfigureAwait(false);
            }
#pragma warning disable CA1031 // every listener gets its turn; the failures are reported below
            catch (Exception e)
#pragma warning restore CA1031
            {
                (failures ??= []).Add(e);
            }
        }

        if (failures is not null)
        {
            throw new AggregateException("Resubscribed handlers failed", failures);
        }
    }
}
