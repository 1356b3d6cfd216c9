using System.Collections.Immutable;
using AccountGrains.Runtime.Messaging.Wire;
using AccountGrains.Runtime.Transport.RabbitMq;
using Microsoft.Extensions.Logging;

namespace AccountGrains.Runtime.Streams;

/// <summary>
/// Streams in a cluster, over the events exchange: a publish goes out with routing key <c>account.&lt;pubkey&gt;</c>
/// (or <c>program.&lt;owner&gt;</c>, <c>wallet.&lt;address&gt;</c>); this process binds its one subscriber queue once
/// per stream it follows, however many local handlers want it (one binding per (gateway, key)), and fans each event
/// out to them in process.
/// <para>
/// Account and wallet handlers share the subscriber table (as in <see cref="InProcessStreamProvider"/>); an event goes
/// only to the handlers of its kind, told by its first byte (<see cref="StreamEventCodec.ReadKind"/>). An event that
/// finds subscribers on its stream but none of its kind is logged and dropped. Each wallet subscription remembers the
/// last <see cref="WalletChanged.Sequence"/> it was handed and drops any event at or below it (a duplicate or an older
/// event), checked on the header before the JSON is read.
/// </para>
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
    private long _staleWalletEvents;
    private long _otherKindEvents;

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

    /// <summary>Wallet events not handed to a subscription (counted once per subscription) because it had already had that sequence or a later one.</summary>
    public long StaleWalletEventsDropped => Interlocked.Read(ref _staleWalletEvents);

    /// <summary>Events dropped because their stream had subscribers, but none of the event's kind.</summary>
    public long EventsOfAnotherKindDropped => Interlocked.Read(ref _otherKindEvents);

    public ValueTask PublishAsync(StreamId stream, AccountChanged change, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(change);
        return Publish(stream, StreamEventCodec.Encode(change));
    }

    public ValueTask PublishAsync(StreamId stream, WalletChanged change, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(change);
        return Publish(stream, StreamEventCodec.Encode(change));
    }

    public ValueTask<IAsyncDisposable> SubscribeAsync(
        StreamId stream, Func<AccountChanged, ValueTask> handler, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(handler);
        return AddSubscriptionAsync(stream, handler, cancellationToken);
    }

    public ValueTask<IAsyncDisposable> SubscribeWalletAsync(
        StreamId stream, Func<WalletChanged, ValueTask> handler, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(handler);
        return AddSubscriptionAsync(stream, handler, cancellationToken);
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

    private ValueTask Publish(StreamId stream, byte[] body)
    {
        var published = _bus.PublishEventAsync(StreamEventCodec.RoutingKey(stream), body);
        if (!published.IsCompletedSuccessfully)
        {
            _ = ObserveAsync(published, stream);
        }

        return ValueTask.CompletedTask;
    }

    private async ValueTask<IAsyncDisposable> AddSubscriptionAsync(StreamId stream, Delegate handler, CancellationToken cancellationToken)
    {
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

    // Called by the one subscriber loop, one event at a time: the subscriptions' last sequences need no lock.
    private Task DispatchAsync(EventDelivery delivery)
    {
        StreamId stream;
        StreamEventKind kind;
        try
        {
            stream = StreamEventCodec.ParseRoutingKey(delivery.RoutingKey);
            kind = StreamEventCodec.ReadKind(delivery.Body.Span);
        }
        catch (GrainWireException e)
        {
            RuntimeLog.UndecodableEvent(_logger, delivery.RoutingKey, e);
            return Task.CompletedTask;
        }

        if (!_subscriptions.TryGet(stream, out var subscribers))
        {
            return Task.CompletedTask;
        }

        return kind == StreamEventKind.Wallet
            ? DispatchWalletAsync(stream, delivery, subscribers)
            : DispatchAccountAsync(stream, delivery, subscribers);
    }

    private Task DispatchAccountAsync(StreamId stream, EventDelivery delivery, ImmutableArray<Subscription> subscribers)
    {
        if (!HasHandlerOf<AccountChanged>(stream, subscribers))
        {
            return Task.CompletedTask;
        }

        AccountChanged change;
        try
        {
            change = StreamEventCodec.Decode(delivery.Body.Span);
        }
        catch (GrainWireException e)
        {
            RuntimeLog.UndecodableEvent(_logger, delivery.RoutingKey, e);
            return Task.CompletedTask;
        }

        return DeliverAsync(stream, subscribers, change, sequence: null);
    }

    private Task DispatchWalletAsync(StreamId stream, EventDelivery delivery, ImmutableArray<Subscription> subscribers)
    {
        if (!HasHandlerOf<WalletChanged>(stream, subscribers))
        {
            return Task.CompletedTask;
        }

        WalletChanged change;
        try
        {
            // The header first: an event every subscription has seen is dropped without reading its JSON.
            var sequence = StreamEventCodec.ReadSequence(delivery.Body.Span);
            var (stale, fresh) = CountStale(subscribers, sequence);
            if (fresh == 0)
            {
                Interlocked.Add(ref _staleWalletEvents, stale);
                return Task.CompletedTask;
            }

            change = StreamEventCodec.DecodeWallet(delivery.Body.Span);
        }
        catch (GrainWireException e)
        {
            RuntimeLog.UndecodableEvent(_logger, delivery.RoutingKey, e);
            return Task.CompletedTask;
        }

        return DeliverAsync(stream, subscribers, change, change.Sequence);
    }

    private static (int Stale, int Fresh) CountStale(ImmutableArray<Subscription> subscribers, long sequence)
    {
        int stale = 0, fresh = 0;
        foreach (var subscriber in subscribers)
        {
            if (subscriber.Handler is Func<WalletChanged, ValueTask>)
            {
                if (subscriber.IsNew(sequence))
                {
                    fresh++;
                }
                else
                {
                    stale++;
                }
            }
        }

        return (stale, fresh);
    }

    private bool HasHandlerOf<TEvent>(StreamId stream, ImmutableArray<Subscription> subscribers)
    {
        if (subscribers.Any(s => s.Handler is Func<TEvent, ValueTask>))
        {
            return true;
        }

        Interlocked.Increment(ref _otherKindEvents);
        RuntimeLog.EventOfAnotherKind(_logger, typeof(TEvent).Name, stream.ToString());
        return false;
    }

    /// <summary>Hands <paramref name="change"/> to each handler of its kind; with a sequence, only to those that have not had it.</summary>
    private async Task DeliverAsync<TEvent>(StreamId stream, ImmutableArray<Subscription> subscribers, TEvent change, long? sequence)
    {
        foreach (var subscriber in subscribers)
        {
            if (subscriber.Handler is not Func<TEvent, ValueTask> handler)
            {
                continue;
            }

            if (sequence is { } s && !subscriber.Advance(s))
            {
                Interlocked.Increment(ref _staleWalletEvents);
                continue;
            }

            try
            {
                await handler(change).ConfigureAwait(false);
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

    /// <summary>A subscriber: its handler takes <see cref="AccountChanged"/> or <see cref="WalletChanged"/>.</summary>
    private sealed class Subscription(RabbitMqStreamProvider owner, StreamId stream, string key, Delegate handler)
        : IAsyncDisposable
    {
        private int _disposed;

        // The last wallet sequence handed to the handler; -1 before the first (sequences start at 0).
        private long _lastSequence = -1;

        public StreamId Stream => stream;

        public Delegate Handler => handler;

        public bool IsNew(long sequence) => sequence > _lastSequence;

        /// <summary>Records <paramref name="sequence"/> as handed over; false when it is not newer than the last one.</summary>
        public bool Advance(long sequence)
        {
            if (!IsNew(sequence))
            {
                return false;
            }

            _lastSequence = sequence;
            return true;
        }

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
