using AccountGrains.Runtime.Messaging.Wire;
using AccountGrains.Runtime.Transport.RabbitMq;
using Microsoft.Extensions.Logging;

namespace AccountGrains.Runtime.Streams;

/// <summary>
/// Streams in a cluster, over the events exchange: a publish goes out with routing key <c>account.&lt;pubkey&gt;</c>
/// (or <c>program.&lt;owner&gt;</c>); this process binds its one subscriber queue once per stream it follows, however
/// many local handlers want it (one binding per (gateway, key)), and fans each event out to them in process.
/// <para>
/// Publishing does not wait for the broker: events are not persistent (a subscriber that was away re-reads state,
/// see <see cref="Resubscribed"/>), and a grain's turn should not wait a round trip per event. Publishes of one
/// process go out in call order on one channel, so a key's events stay in order. A publish the broker refused is
/// logged and counted.
/// </para>
/// </summary>
public sealed class RabbitMqStreamProvider : IResumableStreamProvider, IAsyncDisposable
{
    private readonly EventBus _bus;
    private readonly ILogger<RabbitMqStreamProvider> _logger;
    private readonly SubscriberTable<Subscription> _subscriptions = new();
    private readonly SemaphoreSlim _opening = new(1, 1);
    private EventSubscriber? _subscriber;
    private long _publishFailures;

    public RabbitMqStreamProvider(EventBus bus, ILogger<RabbitMqStreamProvider> logger)
    {
        ArgumentNullException.ThrowIfNull(bus);
        ArgumentNullException.ThrowIfNull(logger);
        _bus = bus;
        _logger = logger;
    }

    public event Func<Task>? Resubscribed;

    /// <summary>Streams followed by this process now.</summary>
    public int StreamCount => _subscriptions.StreamCount;

    /// <summary>Publishes the broker did not confirm (the events were lost; subscribers re-read on reconnect).</summary>
    public long PublishFailures => Interlocked.Read(ref _publishFailures);

    public ValueTask PublishAsync(StreamId stream, AccountChanged change, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(change);
        var published = _bus.PublishEventAsync(StreamEventCodec.RoutingKey(stream), StreamEventCodec.Encode(change));
        if (!published.IsCompletedSuccessfully)
        {
            _ = ObserveAsync(published, stream);
        }

        return ValueTask.CompletedTask;
    }

    // Wallet events over the broker: being written (issue 6); until then a cluster cannot carry them.
    public ValueTask PublishAsync(StreamId stream, WalletChanged change, CancellationToken cancellationToken = default) =>
        throw new NotSupportedException("wallet events over RabbitMQ are not written yet");

    public ValueTask<IAsyncDisposable> SubscribeWalletAsync(
        StreamId stream, Func<WalletChanged, ValueTask> handler, CancellationToken cancellationToken = default) =>
        throw new NotSupportedException("wallet events over RabbitMQ are not written yet");

    public async ValueTask<IAsyncDisposable> SubscribeAsync(
        StreamId stream, Func<AccountChanged, ValueTask> handler, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(handler);
        var key = StreamEventCodec.RoutingKey(stream);
        var subscriber = await OpenAsync(cancellationToken).ConfigureAwait(false);
        var subscription = new Subscription(this, stream, key, handler);

        // Listed before the binding, so no event routed by the new binding finds nobody.
        _subscriptions.Add(stream, subscription);
        try
        {
            await subscriber.BindAsync(key, cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            Remove(subscription);
            throw;
        }

        return subscription;
    }

    public async ValueTask DisposeAsync()
    {
        if (_subscriber is { } subscriber)
        {
            await subscriber.DisposeAsync().ConfigureAwait(false);
        }

        _subscriptions.Clear();
        _opening.Dispose();
    }

    private async ValueTask<EventSubscriber> OpenAsync(CancellationToken cancellationToken)
    {
        if (Volatile.Read(ref _subscriber) is { } open)
        {
            return open;
        }

        await _opening.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (_subscriber is null)
            {
                var subscriber = await _bus.SubscribeAsync(DispatchAsync, cancellationToken).ConfigureAwait(false);
                subscriber.Restored += OnRestoredAsync;
                Volatile.Write(ref _subscriber, subscriber);
            }

            return _subscriber;
        }
        finally
        {
            _opening.Release();
        }
    }

    private async Task DispatchAsync(EventDelivery delivery)
    {
        StreamId stream;
        AccountChanged change;
        try
        {
            stream = StreamEventCodec.ParseRoutingKey(delivery.RoutingKey);
            change = StreamEventCodec.Decode(delivery.Body.Span);
        }
        catch (GrainWireException e)
        {
            RuntimeLog.UndecodableEvent(_logger, delivery.RoutingKey, e);
            return;
        }

        if (!_subscriptions.TryGet(stream, out var subscribers))
        {
            return;
        }

        foreach (var subscriber in subscribers)
        {
            try
            {
                await subscriber.Handler(change).ConfigureAwait(false);
            }
#pragma warning disable CA1031 // one handler's failure must not keep the event from the others
            catch (Exception e)
#pragma warning restore CA1031
            {
                RuntimeLog.StreamHandlerFailed(_logger, stream.ToString(), e);
            }
        }
    }

    private async Task OnRestoredAsync()
    {
        if (Resubscribed is not { } handlers)
        {
            return;
        }

        foreach (var handler in handlers.GetInvocationList().Cast<Func<Task>>())
        {
            try
            {
                await handler().ConfigureAwait(false);
            }
#pragma warning disable CA1031 // every listener gets its turn
            catch (Exception e)
#pragma warning restore CA1031
            {
                RuntimeLog.StreamHandlerFailed(_logger, "resubscribed", e);
            }
        }
    }

    private async Task ObserveAsync(Task published, StreamId stream)
    {
        try
        {
            await published.ConfigureAwait(false);
        }
#pragma warning disable CA1031 // an event lost to the broker is logged; subscribers re-read when they reconnect
        catch (Exception e)
#pragma warning restore CA1031
        {
            Interlocked.Increment(ref _publishFailures);
            RuntimeLog.EventNotPublished(_logger, stream.ToString(), e);
        }
    }

    private void Remove(Subscription subscription) => _subscriptions.Remove(subscription.Stream, subscription);

    private sealed class Subscription(RabbitMqStreamProvider owner, StreamId stream, string key, Func<AccountChanged, ValueTask> handler)
        : IAsyncDisposable
    {
        private int _disposed;

        public StreamId Stream => stream;

        public Func<AccountChanged, ValueTask> Handler => handler;

        public async ValueTask DisposeAsync()
        {
            if (Interlocked.Exchange(ref _disposed, 1) == 1)
            {
                return;
            }

            owner.Remove(this);
            if (owner._subscriber is { } subscriber)
            {
                await subscriber.UnbindAsync(key).ConfigureAwait(false);
            }
        }
    }
}
