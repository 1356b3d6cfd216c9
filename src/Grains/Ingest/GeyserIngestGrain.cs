using AccountGrains.Grains.Diagnostics;
using AccountGrains.Grains.Wallets;
using AccountGrains.Runtime.Catalog;
using AccountGrains.Runtime.Storage;
using AccountGrains.Runtime.Transport;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace AccountGrains.Grains.Ingest;

/// <summary>
/// The single reader of the upstream feed. Its read loop runs beside the grain's turns (it is the grain's own
/// background work, like an Orleans grain timer) and hands each update to its account grain as a one-way call, in
/// feed order, so per-key order is the feed's order. The loop awaits each hand-off: a busy partition slows the read
/// instead of buffering without bound. Never collected when idle.
/// It owns the interest set: the configured entries plus those added at run time (persisted), published to the
/// source through <see cref="InterestSet"/>.
/// </summary>
internal sealed class GeyserIngestGrain(
    IAccountUpdateSource source,
    IGrainFactory grains,
    InterestSet interest,
    IIngestStateStore state,
    IOptions<IngestOptions> options,
    IOptions<WalletOptions> walletOptions,
    WalletRouter wallets,
    GrainMetrics metrics,
    ILogger<GeyserIngestGrain> logger) : Grain, IGeyserIngestGrain, IDisposable
{
    private readonly CancellationTokenSource _priming = new();
    private CancellationTokenSource? _stop;
    private Task _loop = Task.CompletedTask;
    private long _read;
    private long _rejected;
    private long _lastSlot;
    private volatile bool _completed;
    private volatile string? _lastError;

    /// <summary>The tracker name of wallets listed in <c>AccountGrains:Ingest:Interest:Wallets</c>.</summary>
    public const string ConfiguredTracker = "config";

    protected override bool KeepAlive => true;

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        var configured = options.Value.Interest.ToInterests().ToList();
        var stored = await state.ReadInterestAsync(cancellationToken).ConfigureAwait(false);
        // A silo that led the ingest before (cluster mode) may hold entries removed elsewhere since: start from what
        // is configured and stored now.
        foreach (var entry in interest.Snapshot())
        {
            interest.Remove(entry.Id);
        }

        foreach (var entry in configured.Concat(stored))
        {
            interest.Add(entry);
        }

        IngestLog.InterestLoaded(logger, configured.Count, stored.Count, interest.Count);
        Prime([.. interest.Snapshot().Where(i => i.Kind == InterestKind.Wallet)]);
        var configuredWallets = configured.Where(i => i.Kind == InterestKind.Wallet).Select(i => i.Key).ToList();
        if (configuredWallets.Count > 0)
        {
            // Configured wallets are tracked (tracker "config"), so their grains record activity: after this turn,
            // as tracking calls back into this grain.
            _ = Task.Run(() => TrackConfiguredAsync(configuredWallets), CancellationToken.None);
        }
    }

    private async Task TrackConfiguredAsync(IReadOnlyList<string> configuredWallets)
    {
        foreach (var wallet in configuredWallets)
        {
            try
            {
                await grains.Get<IWalletGrain>(wallet).TrackAsync(new WalletTrackRequest(ConfiguredTracker, [])).ConfigureAwait(false);
            }
            catch (Exception e) when (e is ArgumentException or InvalidOperationException or TimeoutException)
            {
                IngestLog.ConfiguredWalletNotTracked(logger, wallet, e);
            }
        }
    }

    public Task StartAsync()
    {
        if (!_loop.IsCompleted)
        {
            return Task.CompletedTask;
        }

        _stop = new CancellationTokenSource();
        _completed = false;
        _lastError = null;
        IngestLog.Started(logger, source.Describe);
        _loop = Task.Run(() => ReadLoopAsync(_stop.Token));
        return Task.CompletedTask;
    }

    public async Task StopAsync()
    {
        if (_stop is null)
        {
            return;
        }

        await _stop.CancelAsync().ConfigureAwait(false);
        await _loop.ConfigureAwait(false);
        _stop.Dispose();
        _stop = null;
    }

    public Task<IngestStatus> GetStatusAsync()
    {
        var upstream = source as ILiveSource;
        return Task.FromResult(new IngestStatus(
            source.Describe,
            Running: !_loop.IsCompleted,
            Completed: _completed,
            UpdatesRead: Interlocked.Read(ref _read),
            RecordsRejected: Interlocked.Read(ref _rejected),
            LastSlot: (ulong)Interlocked.Read(ref _lastSlot),
            LastError: _lastError,
            Upstream: upstream?.Upstream ?? "none",
            Reconnects: upstream?.Reconnects ?? 0,
            Gaps: upstream?.Gaps ?? 0,
            InterestCount: interest.Count));
    }

    public async Task<bool> AddInterestAsync(Interest entry)
    {
        ArgumentNullException.ThrowIfNull(entry);
        if (InterestRules.Validate(entry) is { } error)
        {
            throw new ArgumentException(error, nameof(entry));
        }

        if (interest.Contains(entry.Id))
        {
            return false;
        }

        if (interest.Count >= options.Value.MaxInterest)
        {
            throw new InvalidOperationException(
                $"the interest set is full ({options.Value.MaxInterest} entries, {IngestOptions.SectionName}:MaxInterest); remove some first");
        }

        var maxWallets = walletOptions.Value.MaxTracked;
        if (entry.Kind == InterestKind.Wallet && interest.Snapshot().Count(i => i.Kind == InterestKind.Wallet) >= maxWallets)
        {
            throw new InvalidOperationException(
                $"the tracked-wallet limit is reached ({maxWallets} wallets, {WalletOptions.SectionName}:{nameof(WalletOptions.MaxTracked)}); untrack some first");
        }

        // Stored first: an interest the caller was told about survives a restart.
        await state.SaveInterestAsync(entry, CancellationToken.None).ConfigureAwait(false);
        interest.Add(entry);
        IngestLog.InterestAdded(logger, entry.Id, interest.Count);
        if (entry.Kind == InterestKind.Wallet)
        {
            Prime([entry]);
        }

        return true;
    }

    public async Task<bool> RemoveInterestAsync(string interestId)
    {
        ArgumentNullException.ThrowIfNull(interestId);
        var stored = await state.DeleteInterestAsync(interestId, CancellationToken.None).ConfigureAwait(false);
        var removed = interest.Remove(interestId);
        if (removed)
        {
            IngestLog.InterestRemoved(logger, interestId, interest.Count);
        }

        return removed || stored;
    }

    public Task<IReadOnlyList<Interest>> GetInterestAsync() => Task.FromResult(interest.Snapshot());

    public Task<IReadOnlyList<SubscriptionStatus>> GetSubscriptionsAsync() =>
        Task.FromResult(source is ILiveSource live ? live.GetSubscriptions() : []);

    public override async Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        await _priming.CancelAsync().ConfigureAwait(false);
        await StopAsync().ConfigureAwait(false);
    }

    /// <summary>Reads tracked wallets' accounts over RPC in the background (see <see cref="WalletRouter.PrimeAsync"/>).</summary>
    private void Prime(IReadOnlyList<Interest> walletEntries)
    {
        if (walletEntries.Count > 0)
        {
            _ = Task.Run(() => wallets.PrimeAsync(walletEntries, _priming.Token));
        }
    }

    private async Task ReadLoopAsync(CancellationToken cancellationToken)
    {
        for (var restarts = 0; ; restarts++)
        {
            try
            {
                await foreach (var update in source.ReadAsync(OnRejected, cancellationToken).ConfigureAwait(false))
                {
                    await grains.Get<IAccountGrain>(update.Pubkey).ApplyAsync(update).ConfigureAwait(false);
                    await wallets.RouteAsync(update).ConfigureAwait(false);
                    Interlocked.Increment(ref _read);
                    if ((long)update.Slot > Interlocked.Read(ref _lastSlot))
                    {
                        Interlocked.Exchange(ref _lastSlot, (long)update.Slot);
                    }

                    metrics.Ingested(source.Kind);
                }

                _completed = true;
                IngestLog.SourceEnded(logger, source.Describe, Interlocked.Read(ref _read), Interlocked.Read(ref _rejected));
                return;
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                IngestLog.Stopped(logger, source.Describe, Interlocked.Read(ref _read));
                return;
            }
            catch (MessageNotDeliveredException e)
            {
                // Updates handed on earlier never reached their partition (cluster mode, broker trouble). Reading the
                // source again starts from its checkpoint, which was not saved past them.
                _lastError = e.Message;
                var delay = TimeSpan.FromSeconds(Math.Min(30, 1 << Math.Min(restarts, 5)));
                IngestLog.SourceRestarting(logger, source.Describe, (long)delay.TotalMilliseconds, e);
                try
                {
                    await Task.Delay(delay, cancellationToken).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    return;
                }

                _lastError = null;
            }
            catch (Exception e)
            {
                _lastError = e.Message;
                IngestLog.SourceFailed(logger, source.Describe, e);
                return;
            }
        }
    }

    private void OnRejected(SourceRecordError error)
    {
        Interlocked.Increment(ref _rejected);
        metrics.Rejected(source.Kind);
        IngestLog.RecordRejected(logger, error.Location, error.Reason);
    }

    public void Dispose()
    {
        _stop?.Dispose();
        _priming.Dispose();
    }
}
