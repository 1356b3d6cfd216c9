using System.Collections.Concurrent;
using AccountGrains.Gateway.Configuration;
using AccountGrains.Gateway.Diagnostics;
using AccountGrains.Gateway.Native;
using AccountGrains.Grains.Ingest;
using Microsoft.Extensions.Options;

namespace AccountGrains.Gateway.Subscriptions;

/// <summary>
/// One stream subscription per account for this whole gateway, however many sockets want it, and fan-out to those
/// sockets inside the process. Each event is serialised once and the same bytes go to every socket.
/// Attach and detach are serialised per hub (they are rare next to events); the event path takes no lock.
/// With a live source, a newly wanted account joins the ingest's interest set (see
/// <see cref="GatewayOptions.FollowSubscriptions"/>).
/// </summary>
internal sealed class AccountSubscriptionHub : IAsyncDisposable
{
    private readonly IStreamProvider _streams;
    private readonly GatewayMetrics _metrics;
    private readonly IGrainFactory _grains;
    private readonly ILogger<AccountSubscriptionHub> _logger;
    private readonly bool _follow;
    private readonly ConcurrentDictionary<string, Topic> _topics = new(StringComparer.Ordinal);
    private readonly SemaphoreSlim _membership = new(1, 1);

    public AccountSubscriptionHub(
        IStreamProvider streams,
        GatewayMetrics metrics,
        IGrainFactory grains,
        IOptions<GatewayOptions> gatewayOptions,
        IOptions<IngestOptions> ingestOptions,
        ILogger<AccountSubscriptionHub> logger)
    {
        _streams = streams;
        _metrics = metrics;
        _grains = grains;
        _logger = logger;
        _follow = gatewayOptions.Value.FollowSubscriptions && ingestOptions.Value.Source != IngestOptions.Replay;
        if (streams is IResumableStreamProvider resumable)
        {
            // In the background: the broker connection's recovery waits for its listeners, and re-reading many
            // accounts must not hold it up.
            resumable.Resubscribed += () =>
            {
                _ = RereadAsync();
                return Task.CompletedTask;
            };
        }
    }

    /// <summary>
    /// The stream subscriptions came back after a broker reconnect: events published meanwhile are missing, so every
    /// followed account is read again and its subscribers get the state (sockets drop what they already have).
    /// </summary>
    internal async Task RereadAsync()
    {
        var topics = _topics.Values.ToArray();
        GatewayLog.Rereading(_logger, topics.Length);
        foreach (var topic in topics)
        {
            try
            {
                var snapshot = await _grains.Get<IAccountGrain>(topic.Pubkey).GetSnapshotAsync().ConfigureAwait(false);
                if (snapshot.State is { } state)
                {
                    await topic.OnChangedAsync(new AccountChanged(state)).ConfigureAwait(false);
                }
            }
            catch (Exception e)
            {
                GatewayLog.RereadFailed(_logger, topic.Pubkey, e);
            }
        }
    }

    public int TopicCount => _topics.Count;

    public async ValueTask AttachAsync(string pubkey, IAccountSubscriber subscriber, CancellationToken cancellationToken)
    {
        await _membership.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (_topics.TryGetValue(pubkey, out var topic))
            {
                topic.Subscribers = [.. topic.Subscribers, subscriber];
                return;
            }

            topic = new Topic(pubkey) { Subscribers = [subscriber] };
            _topics[pubkey] = topic;
            topic.Upstream = await _streams.SubscribeAsync(StreamId.ForAccount(pubkey), topic.OnChangedAsync, cancellationToken).ConfigureAwait(false);
            _metrics.UpstreamSubscriptionOpened();
            if (_follow)
            {
                _ = FollowAsync(pubkey);
            }
        }
        finally
        {
            _membership.Release();
        }
    }

    public async ValueTask DetachAsync(string pubkey, IAccountSubscriber subscriber)
    {
        await _membership.WaitAsync().ConfigureAwait(false);
        try
        {
            if (!_topics.TryGetValue(pubkey, out var topic))
            {
                return;
            }

            topic.Subscribers = Array.FindAll(topic.Subscribers, s => !ReferenceEquals(s, subscriber));
            if (topic.Subscribers.Length == 0)
            {
                _topics.TryRemove(pubkey, out _);
                if (topic.Upstream is { } upstream)
                {
                    await upstream.DisposeAsync().ConfigureAwait(false);
                }

                _metrics.UpstreamSubscriptionClosed();
            }
        }
        finally
        {
            _membership.Release();
        }
    }

    /// <summary>Adds the account to the interest set; a refusal (set full) is logged, the subscription stands.</summary>
    private async Task FollowAsync(string pubkey)
    {
        try
        {
            await _grains.Get<IGeyserIngestGrain>(IGeyserIngestGrain.DefaultKey).AddInterestAsync(Interest.Account(pubkey)).ConfigureAwait(false);
        }
        catch (Exception e)
        {
            // Fire-and-forget: every failure (a full set, storage down) is logged here, never unobserved.
            GatewayLog.FollowFailed(_logger, pubkey, e.Message);
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

    private sealed class Topic(string pubkey)
    {
        public string Pubkey => pubkey;

        private IAccountSubscriber[] _subscribers = [];

        // Copy-on-write: the event path reads the array without locking; writers hold the hub's membership lock.
        public IAccountSubscriber[] Subscribers
        {
            get => Volatile.Read(ref _subscribers);
            set => Volatile.Write(ref _subscribers, value);
        }

        public IAsyncDisposable? Upstream { get; set; }

        public ValueTask OnChangedAsync(AccountChanged change)
        {
            var subscribers = Subscribers;
            if (subscribers.Length == 0)
            {
                return ValueTask.CompletedTask;
            }

            var message = NativeMessages.Account(pubkey, change.State, SnapshotSource.Realtime);
            foreach (var subscriber in subscribers)
            {
                subscriber.OnAccountChanged(pubkey, change.State.Token, message);
            }

            return ValueTask.CompletedTask;
        }
    }
}
