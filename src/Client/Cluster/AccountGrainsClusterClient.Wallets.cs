using System.Collections.Concurrent;
using AccountGrains.Client.Cluster.Internal;

namespace AccountGrains.Client.Cluster;

/// <summary>Wallets: tracked, read and followed through their wallet grains (<see cref="IWalletGrain"/>).</summary>
public sealed partial class AccountGrainsClusterClient
{
    /// <summary>The tracker name of <see cref="TrackWalletAsync(string, CancellationToken)"/>.</summary>
    public const string DefaultTracker = "client";

    private readonly ConcurrentDictionary<WalletSubscription, byte> _walletSubscriptions = new();

    /// <summary>
    /// Tracks the wallet as <see cref="DefaultTracker"/> (stored, so it survives restarts): the upstream feed then
    /// delivers its account, its token accounts and the transactions that mention it. False when it was tracked
    /// already (by anyone).
    /// </summary>
    /// <exception cref="ArgumentException"><paramref name="address"/> is invalid.</exception>
    /// <exception cref="AccountGrainsException">The call failed; <see cref="ClusterErrorCodes.Rejected"/> past the cap on tracked wallets or a full interest set.</exception>
    public async Task<bool> TrackWalletAsync(string address, CancellationToken cancellationToken = default)
    {
        var before = await GetWalletStateAsync(address, cancellationToken).ConfigureAwait(false);
        await TrackWalletAsync(address, new WalletTrackRequest(DefaultTracker, []), cancellationToken).ConfigureAwait(false);
        return !before.IsTracked;
    }

    /// <summary>
    /// Tracks the wallet as <see cref="WalletTrackRequest.Tracker"/>, adding its notification sinks; returns the wallet.
    /// </summary>
    /// <exception cref="ArgumentException"><paramref name="address"/> is invalid.</exception>
    /// <exception cref="AccountGrainsException">
    /// The call failed; <see cref="ClusterErrorCodes.Rejected"/> for an invalid tracker or sink, past the cap on tracked
    /// wallets or with a full interest set.
    /// </exception>
    public async Task<WalletView> TrackWalletAsync(string address, WalletTrackRequest request, CancellationToken cancellationToken = default)
    {
        ValidateKey(address, nameof(address));
        ArgumentNullException.ThrowIfNull(request);
        var state = CallAsync($"tracking wallet {address}", () => Wallet(address).TrackAsync(request), cancellationToken);
        return await ViewAsync(state, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Untracks the wallet for every tracker. False when it was not tracked.</summary>
    /// <exception cref="ArgumentException"><paramref name="address"/> is invalid.</exception>
    public async Task<bool> UntrackWalletAsync(string address, CancellationToken cancellationToken = default)
    {
        var before = await GetWalletStateAsync(address, cancellationToken).ConfigureAwait(false);
        await UntrackWalletAsync(address, WalletTrackRequest.AllTrackers, cancellationToken).ConfigureAwait(false);
        return before.IsTracked;
    }

    /// <summary>Removes <paramref name="tracker"/> from the wallet's trackers (<see cref="WalletTrackRequest.AllTrackers"/> for all); returns the wallet.</summary>
    /// <exception cref="ArgumentException"><paramref name="address"/> is invalid.</exception>
    public async Task<WalletView> UntrackWalletAsync(string address, string tracker, CancellationToken cancellationToken = default)
    {
        ValidateKey(address, nameof(address));
        ArgumentNullException.ThrowIfNull(tracker);
        var state = CallAsync($"untracking wallet {address}", () => Wallet(address).UntrackAsync(tracker), cancellationToken);
        return await ViewAsync(state, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The tracked wallets (the wallet entries of the ingest's interest set), by address, with their status and trackers.</summary>
    public async Task<IReadOnlyList<TrackedWallet>> GetTrackedAsync(CancellationToken cancellationToken = default)
    {
        ThrowIfUnusable();
        var status = GetIngestStatusAsync(cancellationToken);
        var interest = await CallAsync("reading the tracked wallets", () => Ingest.GetInterestAsync(), cancellationToken).ConfigureAwait(false);
        var addresses = interest.Where(i => i.Kind == InterestKind.Wallet).Select(i => i.Key).ToArray();
        var states = new WalletState[addresses.Length];
        await Parallel.ForEachAsync(
            Enumerable.Range(0, addresses.Length),
            new ParallelOptions { MaxDegreeOfParallelism = _options.MaxConcurrentReads, CancellationToken = cancellationToken },
            async (i, token) => states[i] = await GetWalletStateAsync(addresses[i], token).ConfigureAwait(false)).ConfigureAwait(false);
        var upstreamUp = WalletUpstream.IsUp(await status.ConfigureAwait(false));
        return [.. states
            .Select(s => new TrackedWallet { Address = s.Address, Status = s.StatusWith(upstreamUp), Trackers = s.Trackers })
            .OrderBy(w => w.Address, StringComparer.Ordinal)];
    }

    /// <summary>What the cluster knows about a wallet: whether and by whom it is tracked, its status, SOL balance, token holdings and activity count.</summary>
    /// <exception cref="ArgumentException"><paramref name="address"/> is invalid.</exception>
    public Task<WalletView> GetWalletAsync(string address, CancellationToken cancellationToken = default) =>
        ViewAsync(GetWalletStateAsync(address, cancellationToken), cancellationToken);

    /// <summary>
    /// The wallet's activity, newest first: at most <paramref name="limit"/> (1 to <see cref="ActivityQuery.MaxLimit"/>)
    /// transactions older than the one with signature <paramref name="before"/> when given. Page on with the last
    /// signature of a page.
    /// </summary>
    /// <exception cref="ArgumentException"><paramref name="address"/> is invalid.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="limit"/> is out of range.</exception>
    public Task<IReadOnlyList<WalletActivityEntry>> GetWalletActivityAsync(string address, string? before = null, int limit = 50, CancellationToken cancellationToken = default)
    {
        ValidateKey(address, nameof(address));
        ArgumentOutOfRangeException.ThrowIfLessThan(limit, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(limit, ActivityQuery.MaxLimit);
        return CallAsync($"reading the activity of wallet {address}", () => Wallet(address).GetActivityAsync(new ActivityQuery(before, limit)), cancellationToken);
    }

    /// <summary>
    /// Follows a wallet without tracking it: <paramref name="onChange"/> gets its current state first, then every event
    /// (see <see cref="WalletSubscription"/>). Returns once the subscription is bound and the state is queued.
    /// </summary>
    /// <exception cref="ArgumentException"><paramref name="address"/> is invalid.</exception>
    /// <exception cref="AccountGrainsException">Binding the stream or reading the state failed; nothing stays subscribed.</exception>
    public async Task<WalletSubscription> SubscribeWalletAsync(string address, Func<WalletChanged, ValueTask> onChange, CancellationToken cancellationToken = default)
    {
        ValidateKey(address, nameof(address));
        ArgumentNullException.ThrowIfNull(onChange);
        ThrowIfUnusable();
        var subscription = new WalletSubscription(address, onChange, _logger, s => _walletSubscriptions.TryRemove(s, out _));

        // Listed first: a reconnect while the state is read re-reads this one too.
        _walletSubscriptions[subscription] = 0;
        await BindAsync(
            subscription,
            subscription.Stream,
            () => _streams.SubscribeWalletAsync(subscription.Stream, subscription.OnChangedAsync, cancellationToken).AsTask(),
            subscription.AttachAsync,
            cancellationToken).ConfigureAwait(false);
        try
        {
            subscription.Start(await GetWalletStateAsync(address, cancellationToken).ConfigureAwait(false));
            return subscription;
        }
        catch
        {
            await subscription.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    private IWalletGrain Wallet(string address) => _grains.Get<IWalletGrain>(address);

    private Task<WalletState> GetWalletStateAsync(string address, CancellationToken cancellationToken)
    {
        ValidateKey(address, nameof(address));
        return CallAsync($"reading wallet {address}", () => Wallet(address).GetAsync(), cancellationToken);
    }

    /// <summary>The view of a wallet state, its status from the ingest's (read alongside).</summary>
    private async Task<WalletView> ViewAsync(Task<WalletState> state, CancellationToken cancellationToken)
    {
        var status = GetIngestStatusAsync(cancellationToken);
        try
        {
            return WalletView.From(await state.ConfigureAwait(false), WalletUpstream.IsUp(await status.ConfigureAwait(false)));
        }
        finally
        {
            // When the wallet call failed, the status read is abandoned: its failure must not go unobserved.
            _ = status.ContinueWith(static t => _ = t.Exception, CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted, TaskScheduler.Default);
        }
    }

    /// <summary>After a broker reconnect: every followed wallet's state is read again and offered to its subscriptions.</summary>
    private async Task RereadWalletsAsync()
    {
        foreach (var wallet in _walletSubscriptions.Keys.GroupBy(s => s.Address, StringComparer.Ordinal))
        {
            try
            {
                var state = await GetWalletStateAsync(wallet.Key, _disposing.Token).ConfigureAwait(false);
                foreach (var subscription in wallet)
                {
                    subscription.Reread(state);
                }
            }
            catch (Exception e) when (e is AccountGrainsException or ObjectDisposedException or OperationCanceledException)
            {
                ClusterClientLog.WalletRereadFailed(_logger, wallet.Key, e);
            }
        }
    }
}
