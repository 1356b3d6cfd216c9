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

    public async ValueTask PublishAsync(StreamId stream, AccountChanged change, CancellationToken cancellationToken = default)
    {
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
            catch (Exception e)
            {
                RuntimeLog.StreamHandlerFailed(logger, stream.ToString(), e);
            }
        }
    }

    public ValueTask<IAsyncDisposable> SubscribeAsync(
        StreamId stream, Func<AccountChanged, ValueTask> handler, CancellationToken cancellationToken = default)
    {
        var subscription = new Subscription(this, stream, handler);
        _subscriptions.Add(stream, subscription);
        return ValueTask.FromResult<IAsyncDisposable>(subscription);
    }

    private void Remove(Subscription subscription) => _subscriptions.Remove(subscription.Stream, subscription);

    private sealed class Subscription(InProcessStreamProvider owner, StreamId stream, Func<AccountChanged, ValueTask> handler)
        : IAsyncDisposable
    {
        private int _disposed;

        public StreamId Stream => stream;

        public Func<AccountChanged, ValueTask> Handler => handler;

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
