namespace AccountGrains;

/// <summary>An account changed: its new state, published on <c>account.&lt;pubkey&gt;</c> and <c>program.&lt;owner&gt;</c>.</summary>
public sealed record AccountChanged(AccountState State);

/// <summary>
/// Publishes grain events and subscribes to them. Delivery is at least once and FIFO per stream; consumers are
/// idempotent by <see cref="StreamToken"/>.
/// </summary>
public interface IStreamProvider
{
    ValueTask PublishAsync(StreamId stream, AccountChanged change, CancellationToken cancellationToken = default);

    /// <summary>Subscribes; disposing the result ends the subscription. The handler must not block.</summary>
    ValueTask<IAsyncDisposable> SubscribeAsync(
        StreamId stream, Func<AccountChanged, ValueTask> handler, CancellationToken cancellationToken = default);

    /// <summary>Publishes a wallet's event on <c>wallet.&lt;address&gt;</c>.</summary>
    ValueTask PublishAsync(StreamId stream, WalletChanged change, CancellationToken cancellationToken = default);

    /// <summary>Subscribes to a wallet's events; consumers drop events whose <see cref="WalletChanged.Sequence"/> they have seen.</summary>
    ValueTask<IAsyncDisposable> SubscribeWalletAsync(
        StreamId stream, Func<WalletChanged, ValueTask> handler, CancellationToken cancellationToken = default);
}

/// <summary>
/// A stream provider whose subscriptions can miss events (the cluster's, across a broker reconnect). It raises
/// <see cref="Resubscribed"/> once every subscription is back, so subscribers re-read the current state of what they
/// follow; tokens make the re-read idempotent.
/// </summary>
public interface IResumableStreamProvider : IStreamProvider
{
    event Func<Task>? Resubscribed;
}
