using Microsoft.Extensions.Logging;

namespace AccountGrains.Runtime.Streams;

/// <summary>
/// Streams within one process: a publish calls every subscriber's handler in subscription order. Handlers are
/// expected to hand the event off (enqueue) rather than do slow work; a throwing handler is logged and skipped.
/// </summary>
public sealed class InProcessStreamProvider(ILogger<InProcessStreamProvider> logger) : IStreamProvider
{
    private readonly SubscriberTable<Subscription> _subscriptions = new();

    public int StreamCount => _subscriptions.StreamCount;

    public ValueTask PublishAsync(StreamId stream, AccountChanged change, CancellationToken cancellationToken = default) =>
        PublishAsync<AccountChanged>(stream, change);

    public ValueTask PublishAsync(StreamId stream, WalletChanged change, CancellationToken cancellationToken = default) =>
        PublishAsync<WalletChanged>(stream, change);

    public ValueTask<IAsyncDisposable> SubscribeAsync(
        StreamId stream, Func<AccountChanged, ValueTask> handler, CancellationToken cancellationToken = default) =>
        Subscribe(stream, handler);

    public ValueTask<IAsyncDisposable> SubscribeWalletAsync(
        StreamId stream, Func<WalletChanged, ValueTask> handler, CancellationToken cancellationToken = default) =>
        Subscribe(stream, handler);

    private async ValueTask PublishAsync<TEvent>(StreamId stream, TEvent change)
    {
        if (!_subscriptions.TryGet(stream, out var subscribers))
        {
            return;
        }

        foreach (var subscriber in subscribers)
        {
            if (subscriber.Handler is not Func<TEvent, ValueTask> handler)
            {
                continue;
            }

            try
            {
                await handler(change).ConfigureAwait(false);
            }
            catch (Exception e)
            {
                RuntimeLog.StreamHandlerFailed(logger, stream.ToString(), e);
            }
        }
    }

    private ValueTask<IAsyncDisposable> Subscribe(StreamId stream, Delegate handler)
    {
        var subscription = new Subscription(this, stream, handler);
        _subscriptions.Add(stream, subscription);
        return ValueTask.FromResult<IAsyncDisposable>(subscription);
    }

    private void Remove(Subscription subscription) => _subscriptions.Remove(subscription.Stream, subscription);

    /// <summary>A subscriber: its handler takes <see cref="AccountChanged"/> or <see cref="WalletChanged"/>.</summary>
    private sealed class Subscription(InProcessStreamProvider owner, StreamId stream, Delegate handler)
        : IAsyncDisposable
    {
        private int _disposed;

        public StreamId Stream => stream;

        public Delegate Handler => handler;

        public ValueTask DisposeAsync()
        {
            if (Interlocked.Exchange(ref _disposed, 1) == 0)
            {
                owner.Remove(this);
            }

            return ValueTask.CompletedTask;
        }
    }
}
