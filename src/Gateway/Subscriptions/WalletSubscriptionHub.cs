using AccountGrains.Gateway.Diagnostics;
using AccountGrains.Gateway.Native;
using AccountGrains.Gateway.Wallets;

namespace AccountGrains.Gateway.Subscriptions;

/// <summary>
/// The wallets' <see cref="SubscriptionHub{TSubscriber}"/>: one <c>wallet.&lt;address&gt;</c> subscription per wallet
/// for this gateway, each event serialised once for every socket that follows the wallet. Events the hub has seen
/// (by <see cref="WalletChanged.Sequence"/>) are dropped here already, so a redelivery costs no serialisation.
/// </summary>
internal sealed class WalletSubscriptionHub(
    IStreamProvider streams,
    GatewayMetrics metrics,
    IGrainFactory grains,
    UpstreamStatus upstream,
    ILogger<WalletSubscriptionHub> logger)
    : SubscriptionHub<IWalletSubscriber>(streams, metrics, logger, "wallets")
{
    protected override ValueTask<IAsyncDisposable> SubscribeUpstreamAsync(Topic topic, CancellationToken cancellationToken)
    {
        long newest = 0;
        return Streams.SubscribeWalletAsync(StreamId.ForWallet(topic.Key), change =>
        {
            // One stream subscription delivers in order, one event at a time: a plain field is enough.
            if (change.Sequence <= newest)
            {
                return ValueTask.CompletedTask;
            }

            newest = change.Sequence;
            Publish(topic, change.Sequence, change.State, change.Activity);
            return ValueTask.CompletedTask;
        }, cancellationToken);
    }

    /// <summary>Missed activity cannot be re-read from the state; it stays readable at <c>GET /v1/wallets/{address}/activity</c>.</summary>
    protected override async Task RereadAsync(Topic topic)
    {
        var state = await grains.Get<IWalletGrain>(topic.Key).GetAsync().ConfigureAwait(false);
        Publish(topic, null, state, null);
    }

    private void Publish(Topic topic, long? sequence, WalletState state, WalletActivityEntry? activity)
    {
        var subscribers = topic.Subscribers;
        if (subscribers.Length == 0)
        {
            return;
        }

        var message = activity is not null
            ? NativeMessages.WalletActivity(topic.Key, sequence ?? 0, activity)
            : NativeMessages.WalletStateChanged(topic.Key, sequence ?? 0, state, state.StatusWith(upstream.Current));
        foreach (var subscriber in subscribers)
        {
            subscriber.OnWalletChanged(topic.Key, sequence, activity is not null, message);
        }
    }
}
