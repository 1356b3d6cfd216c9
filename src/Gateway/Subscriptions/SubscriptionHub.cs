using System.Collections.Concurrent;
using AccountGrains.Gateway.Diagnostics;

namespace AccountGrains.Gateway.Subscriptions;

/// <summary>
/// One stream subscription per key (an account, a wallet) for this whole gateway, however many sockets want it, and
/// fan-out to those sockets inside the process. Attach and detach are serialised per hub (they are rare next to
/// events); the event path takes no lock. After a broker reconnect (<see cref="IResumableStreamProvider.Resubscribed"/>)
/// every followed key is read again, because events published meanwhile are missing.
/// </summary>
/// <typeparam name="TSubscriber">What a socket implements to receive this hub's events.</typeparam>
internal abstract class SubscriptionHub<TSubscriber> : IAsyncDisposable
    where TSubscriber : class
{
    private readonly GatewayMetrics _metrics;
    private readonly ILogger _logger;
    private readonly string _kind;
    private readonly ConcurrentDictionary<string, Topic> _topics = new(StringComparer.Ordinal);
    private readonly SemaphoreSlim _membership = new(1, 1);

    /// <param name="streams">The stream provider; a resumable one triggers re-reads after a broker reconnect.</param>
    /// <param name="metrics">Counts the open stream subscriptions by <paramref name="kind"/>.</param>
    /// <param name="logger">For re-reads.</param>
    /// <param name="kind">What a key is, plural, for logs and metrics: <c>accounts</c>, <c>wallets</c>.</param>
    protected SubscriptionHub(IStreamProvider streams, GatewayMetrics metrics, ILogger logger, string kind)
    {
        Streams = streams;
        _metrics = metrics;
        _logger = logger;
        _kind = kind;
        if (streams is IResumableStreamProvider resumable)
        {
            // In the background: the broker connection's recovery waits for its listeners, and re-reading many
            // keys must not hold it up.
            resumable.Resubscribed += () =>
            {
                _ = RereadAsync();
                return Task.CompletedTask;
            };
        }
    }

    public int TopicCount => _topics.Count;

    protected IStreamProvider Streams { get; }

    /// <summary>Opens the stream of <paramref name="topic"/>; its events go to <see cref="Topic.Subscribers"/>.</summary>
    protected abstract ValueTask<IAsyncDisposable> SubscribeUpstreamAsync(Topic topic, CancellationToken cancellationToken);

    /// <summary>Reads the current state of <paramref name="topic"/> and hands it to its subscribers.</summary>
    protected abstract Task RereadAsync(Topic topic);

    /// <summary>The first subscriber of <paramref name="key"/> arrived (its stream is open).</summary>
    protected virtual void OnFirstAttached(string key)
    {
    }

    /// <summary>
    /// The stream subscriptions came back after a broker reconnect: events published meanwhile are missing, so every
    /// followed key is read again and its subscribers get the state (sockets drop what they already have).
    /// </summary>
    internal async Task RereadAsync()
    {
        var topics = _topics.Values.ToArray();
        GatewayLog.Rereading(_logger, topics.Length, _kind);
        foreach (var topic in topics)
        {
            try
            {
                await RereadAsync(topic).ConfigureAwait(false);
            }
            catch (Exception e)
            {
                GatewayLog.RereadFailed(_logger, topic.Key, e);
            }
        }
    }

    public async ValueTask AttachAsync(string key, TSubscriber subscriber, CancellationToken cancellationToken)
    {
        await _membership.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (_topics.TryGetValue(key, out var topic))
            {
                topic.Subscribers = [.. topic.Subscribers, subscriber];
                return;
            }

            topic = new Topic(key) { Subscribers = [subscriber] };
            _topics[key] = topic;
            try
            {
                topic.Upstream = await SubscribeUpstreamAsync(topic, cancellationToken).ConfigureAwait(false);
            }
            catch
            {
                _topics.TryRemove(key, out _);
                throw;
            }

            _metrics.UpstreamSubscriptionOpened(_kind);
            OnFirstAttached(key);
        }
        finally
        {
            _membership.Release();
        }
    }

    public async ValueTask DetachAsync(string key, TSubscriber subscriber)
    {
        await _membership.WaitAsync().ConfigureAwait(false);
        try
        {
            if (!_topics.TryGetValue(key, out var topic))
            {
                return;
            }

            topic.Subscribers = Array.FindAll(topic.Subscribers, s => !ReferenceEquals(s, subscriber));
            if (topic.Subscribers.Length == 0)
            {
                _topics.TryRemove(key, out _);
                if (topic.Upstream is { } upstream)
                {
                    await upstream.DisposeAsync().ConfigureAwait(false);
                }

                _metrics.UpstreamSubscriptionClosed(_kind);
            }
        }
        finally
        {
            _membership.Release();
        }
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var topic in _topics.Values)
        {
            if (topic.Upstream is { } upstream)
            {
                await upstream.DisposeAsync().ConfigureAwait(false);
            }
        }

        _topics.Clear();
        _membership.Dispose();
    }

    /// <summary>One followed key: its stream subscription and the sockets that want its events.</summary>
    protected sealed class Topic(string key)
    {
        private TSubscriber[] _subscribers = [];

        public string Key => key;

        // Copy-on-write: the event path reads the array without locking; writers hold the hub's membership lock.
        public TSubscriber[] Subscribers
        {
            get => Volatile.Read(ref _subscribers);
            set => Volatile.Write(ref _subscribers, value);
        }

        public IAsyncDisposable? Upstream { get; set; }
    }
}
