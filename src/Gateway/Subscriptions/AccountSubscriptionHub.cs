using AccountGrains.Gateway.Configuration;
using AccountGrains.Gateway.Diagnostics;
using AccountGrains.Gateway.Native;
using AccountGrains.Grains.Ingest;
using Microsoft.Extensions.Options;

namespace AccountGrains.Gateway.Subscriptions;

/// <summary>
/// The accounts' <see cref="SubscriptionHub{TSubscriber}"/>: one <c>account.&lt;pubkey&gt;</c> subscription per
/// account, each event serialised once and the same bytes sent to every socket. With a live source, a newly wanted
/// account joins the ingest's interest set (see <see cref="GatewayOptions.FollowSubscriptions"/>).
/// </summary>
internal sealed class AccountSubscriptionHub : SubscriptionHub<IAccountSubscriber>
{
    private readonly IGrainFactory _grains;
    private readonly ILogger<AccountSubscriptionHub> _logger;
    private readonly bool _follow;

    public AccountSubscriptionHub(
        IStreamProvider streams,
        GatewayMetrics metrics,
        IGrainFactory grains,
        IOptions<GatewayOptions> gatewayOptions,
        IOptions<IngestOptions> ingestOptions,
        ILogger<AccountSubscriptionHub> logger)
        : base(streams, metrics, logger, "accounts")
    {
        _grains = grains;
        _logger = logger;
        _follow = gatewayOptions.Value.FollowSubscriptions && ingestOptions.Value.Source != IngestOptions.Replay;
    }

    protected override ValueTask<IAsyncDisposable> SubscribeUpstreamAsync(Topic topic, CancellationToken cancellationToken) =>
        Streams.SubscribeAsync(StreamId.ForAccount(topic.Key), change => Publish(topic, change.State), cancellationToken);

    protected override async Task RereadAsync(Topic topic)
    {
        var snapshot = await _grains.Get<IAccountGrain>(topic.Key).GetSnapshotAsync().ConfigureAwait(false);
        if (snapshot.State is { } state)
        {
            await Publish(topic, state).ConfigureAwait(false);
        }
    }

    protected override void OnFirstAttached(string key)
    {
        if (_follow)
        {
            _ = FollowAsync(key);
        }
    }

    private static ValueTask Publish(Topic topic, AccountState state)
    {
        var subscribers = topic.Subscribers;
        if (subscribers.Length == 0)
        {
            return ValueTask.CompletedTask;
        }

        var message = NativeMessages.Account(topic.Key, state, SnapshotSource.Realtime);
        foreach (var subscriber in subscribers)
        {
            subscriber.OnAccountChanged(topic.Key, state.Token, message);
        }

        return ValueTask.CompletedTask;
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
}
