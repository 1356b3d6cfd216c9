using AccountGrains.Runtime.Catalog;
using AccountGrains.Runtime.Storage;
using AccountGrains.Solana;
using AccountGrains.Solana.Decoding;
using AccountGrains.Solana.Transactions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace AccountGrains.Grains.Wallets;

/// <summary>
/// One wallet (see <see cref="IWalletGrain"/>). Its state and each transaction are stored before the turn ends (no
/// write-behind: wallet changes are rare next to account updates, and a recorded transaction must survive a crash
/// the moment subscribers and webhooks hear of it). A signature already stored is dropped, so an upstream replay
/// after a reconnect never notifies twice. Balances take the newest slot: account updates (in feed order) win over
/// a transaction's post balances of the same slot.
/// </summary>
internal sealed class WalletGrain(
    IWalletStore store,
    IStreamProvider streams,
    IGrainFactory grains,
    IWalletNotifier notifier,
    MintDecimalsCache mints,
    IOptions<WalletOptions> options,
    TimeProvider time,
    ILogger<WalletGrain> logger) : Grain, IWalletGrain
{
    // Longest a track waits for the wallet's balance (the feed fills it in later in any case).
    private static readonly TimeSpan InitialReadWait = TimeSpan.FromSeconds(5);

    // Bounds the wait on a mint's grain for its decimals (as the account grain does).
    private static readonly TimeSpan MintLookupTimeout = TimeSpan.FromSeconds(2);

    /// <summary>Longest sink URL accepted.</summary>
    public const int MaxSinkUrlLength = 2048;

    /// <summary>Longest sink secret accepted.</summary>
    public const int MaxSinkSecretLength = 256;

    // How often activity is pruned to the retention: every this many new entries.
    private const int PruneEvery = 100;

    private readonly Dictionary<string, int> _decimals = new(StringComparer.Ordinal);
    private WalletState _state = null!;
    private long _sequence;

    private WalletOptions Options => options.Value;

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        _state = await store.ReadWalletAsync(Key, cancellationToken).ConfigureAwait(false) ?? WalletState.Empty(Key, time.GetUtcNow());
        foreach (var holding in _state.Holdings)
        {
            if (holding.Decimals is { } decimals)
            {
                _decimals[holding.Mint] = decimals;
            }
        }
    }

    public async Task<WalletState> TrackAsync(WalletTrackRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        EnsureValidAddress();
        var tracker = ValidTracker(request.Tracker);
        var sinks = MergeSinks(request.Sinks);
        var wasTracked = _state.IsTracked;
        if (!wasTracked)
        {
            // Throws past the cap on tracked wallets: nothing is changed then.
            await grains.Get<IGeyserIngestGrain>(IGeyserIngestGrain.DefaultKey).AddInterestAsync(Interest.Wallet(Key)).ConfigureAwait(false);
        }

        var now = time.GetUtcNow();
        _state = _state with
        {
            Trackers = _state.Trackers.Contains(tracker, StringComparer.Ordinal) ? _state.Trackers : [.. _state.Trackers, tracker],
            Sinks = sinks,
            TrackedSince = wasTracked ? _state.TrackedSince : now,
            UpdatedAt = now,
        };
        if (_state.Lamports is null)
        {
            await ReadInitialBalanceAsync().ConfigureAwait(false);
        }

        await SaveAndPublishAsync(null).ConfigureAwait(false);
        WalletLog.Tracked(logger, Key, tracker, _state.Trackers.Count);
        return Redacted(_state);
    }

    public async Task<WalletState> UntrackAsync(string tracker)
    {
        ArgumentNullException.ThrowIfNull(tracker);
        EnsureValidAddress();
        var remaining = tracker == WalletTrackRequest.AllTrackers
            ? []
            : _state.Trackers.Where(t => !string.Equals(t, tracker, StringComparison.Ordinal)).ToList();
        if (remaining.Count == _state.Trackers.Count)
        {
            return Redacted(_state);
        }

        if (remaining.Count == 0)
        {
            await grains.Get<IGeyserIngestGrain>(IGeyserIngestGrain.DefaultKey).RemoveInterestAsync(Interest.Wallet(Key).Id).ConfigureAwait(false);
        }

        _state = _state with
        {
            Trackers = remaining,
            TrackedSince = remaining.Count == 0 ? null : _state.TrackedSince,
            UpdatedAt = time.GetUtcNow(),
        };
        await SaveAndPublishAsync(null).ConfigureAwait(false);
        WalletLog.Untracked(logger, Key, tracker, remaining.Count);
        return Redacted(_state);
    }

    public Task<WalletState> GetAsync()
    {
        EnsureValidAddress();
        return Task.FromResult(Redacted(_state));
    }

    public Task<IReadOnlyList<WalletActivityEntry>> GetActivityAsync(ActivityQuery query)
    {
        ArgumentNullException.ThrowIfNull(query);
        EnsureValidAddress();
        if (query.Limit is <= 0 or > ActivityQuery.MaxLimit)
        {
            throw new ArgumentOutOfRangeException(nameof(query), query.Limit, $"limit must be between 1 and {ActivityQuery.MaxLimit}");
        }

        return store.ReadActivityAsync(Key, query, CancellationToken.None);
    }

    public Task<IReadOnlyList<NotificationDeadLetter>> GetDeadLettersAsync(int limit)
    {
        EnsureValidAddress();
        if (limit is <= 0 or > ActivityQuery.MaxLimit)
        {
            throw new ArgumentOutOfRangeException(nameof(limit), limit, $"limit must be between 1 and {ActivityQuery.MaxLimit}");
        }

        return store.ReadDeadLettersAsync(Key, limit, CancellationToken.None);
    }

    public async Task ApplyActivityAsync(WalletActivityEntry activity)
    {
        ArgumentNullException.ThrowIfNull(activity);
        if (!string.Equals(activity.Wallet, Key, StringComparison.Ordinal))
        {
            throw new ArgumentException($"activity of wallet {activity.Wallet} was sent to wallet grain {Key}", nameof(activity));
        }

        if (!_state.IsTracked)
        {
            WalletLog.ActivityDropped(logger, Key, activity.Signature, "the wallet is not tracked");
            return;
        }

        if (!await store.AddActivityAsync(activity, CancellationToken.None).ConfigureAwait(false))
        {
            WalletLog.ActivityDropped(logger, Key, activity.Signature, "recorded already");
            return;
        }

        foreach (var change in activity.TokenChanges)
        {
            _decimals[change.Mint] = change.Decimals;
        }

        var state = _state with
        {
            ActivityCount = _state.ActivityCount + 1,
            LastActivitySlot = Math.Max(_state.LastActivitySlot, activity.Slot),
            UpdatedAt = time.GetUtcNow(),
        };
        if (activity.PostLamports is { } lamports && activity.Slot > state.BalanceSlot)
        {
            state = state with { Lamports = lamports, BalanceSlot = activity.Slot };
        }

        _state = activity.PostHoldings.Aggregate(state, (s, holding) =>
        {
            if (holding.Decimals is { } decimals)
            {
                _decimals[holding.Mint] = decimals;
            }

            return WithHolding(s, holding, newerThan: (current, next) => next.Slot > current.Slot);
        });
        if (activity.ClosedTokenAccounts is { Count: > 0 } closed)
        {
            _state = _state with
            {
                Holdings = [.. _state.Holdings.Where(h => !(closed.Contains(h.TokenAccount, StringComparer.Ordinal) && h.Slot <= activity.Slot))],
            };
        }

        try
        {
            await SaveAndPublishAsync(activity).ConfigureAwait(false);
        }
        finally
        {
            // The entry is stored: its notification goes out even when saving the state or publishing failed (a
            // replay would find the entry recorded and never notify).
            notifier.Notify(activity, _state.Sinks);
        }

        if (_state.ActivityCount % PruneEvery == 0)
        {
            var pruned = await store.PruneActivityAsync(Key, Options.ActivityRetention, CancellationToken.None).ConfigureAwait(false);
            if (pruned > 0)
            {
                WalletLog.Pruned(logger, Key, pruned, Options.ActivityRetention);
            }
        }
    }

    public async Task ApplyAccountAsync(AccountUpdate update)
    {
        ArgumentNullException.ThrowIfNull(update);
        if (!_state.IsTracked)
        {
            return;
        }

        if (await ApplyAccountCoreAsync(update).ConfigureAwait(false))
        {
            _state = _state with { UpdatedAt = time.GetUtcNow() };
            await SaveAndPublishAsync(null).ConfigureAwait(false);
        }
    }

    /// <summary>Applies the wallet's own account or one of its token accounts; true when anything changed.</summary>
    private async Task<bool> ApplyAccountCoreAsync(AccountUpdate update)
    {
        if (string.Equals(update.Pubkey, Key, StringComparison.Ordinal))
        {
            if (update.Slot < _state.BalanceSlot || (_state.Lamports == update.Lamports && update.Slot == _state.BalanceSlot))
            {
                return false;
            }

            _state = _state with { Lamports = update.Lamports, BalanceSlot = update.Slot };
            return true;
        }

        var existing = _state.Holdings.FirstOrDefault(h => string.Equals(h.TokenAccount, update.Pubkey, StringComparison.Ordinal));
        if (!TokenAccount.TryRead(update.Owner, update.Data, out var token) || token.Owner.ToString() != Key)
        {
            // Closed, or no longer the wallet's: no longer a holding.
            if (existing is null || update.Token < new StreamToken(existing.Slot, existing.WriteVersion))
            {
                return false;
            }

            _state = _state with { Holdings = [.. _state.Holdings.Where(h => h != existing)] };
            return true;
        }

        var mint = token.Mint.ToString();
        var decimals = await DecimalsOfAsync(token.Mint, mint).ConfigureAwait(false);
        var holding = new TokenHolding(
            update.Pubkey,
            mint,
            token.Program.ToString(),
            token.Amount,
            decimals,
            decimals is { } d ? TokenAmount.Format(token.Amount, d) : null,
            update.Slot,
            update.WriteVersion);
        var before = _state;
        _state = WithHolding(_state, holding, newerThan: (current, next) => new StreamToken(next.Slot, next.WriteVersion) >= new StreamToken(current.Slot, current.WriteVersion));
        return !ReferenceEquals(before, _state);
    }

    private static WalletState WithHolding(WalletState state, TokenHolding holding, Func<TokenHolding, TokenHolding, bool> newerThan)
    {
        var holdings = state.Holdings.ToList();
        var index = holdings.FindIndex(h => string.Equals(h.TokenAccount, holding.TokenAccount, StringComparison.Ordinal));
        if (index < 0)
        {
            holdings.Add(holding);
        }
        else if (newerThan(holdings[index], holding) && holdings[index] != holding)
        {
            holdings[index] = holding;
        }
        else
        {
            return state;
        }

        holdings.Sort(static (a, b) => string.CompareOrdinal(a.TokenAccount, b.TokenAccount));
        return state with { Holdings = holdings };
    }

    /// <summary>A mint's decimals: from this wallet's transactions, this silo's mint cache, or the mint's own grain.</summary>
    private async Task<int?> DecimalsOfAsync(Pubkey mintKey, string mint)
    {
        if (_decimals.TryGetValue(mint, out var known))
        {
            return known;
        }

        if (mints.TryGetDecimals(mintKey, out var cached))
        {
            return _decimals[mint] = cached;
        }

        try
        {
            var snapshot = await grains.Get<IAccountGrain>(mint).GetSnapshotAsync().WaitAsync(MintLookupTimeout).ConfigureAwait(false);
            if (snapshot.State is { } state && Pubkey.TryParse(state.Owner, out var owner, out _)
                && mints.TryRecord(mintKey, owner, state.Data) && mints.TryGetDecimals(mintKey, out var decimals))
            {
                return _decimals[mint] = decimals;
            }
        }
        catch (Exception e) when (e is TimeoutException or InvalidOperationException)
        {
            // Decimals are a refinement: the holding is kept raw until they are known.
        }

        return null;
    }

    /// <summary>
    /// The SOL balance from the wallet account's grain (which reads it over RPC when it knows nothing yet and an
    /// endpoint is configured), bounded. Token accounts come from the ingest, which reads them when the wallet is
    /// added to its interest set.
    /// </summary>
    private async Task ReadInitialBalanceAsync()
    {
        try
        {
            var snapshot = await grains.Get<IAccountGrain>(Key).GetSnapshotAsync().WaitAsync(InitialReadWait).ConfigureAwait(false);
            if (snapshot.State is { } account && account.Slot >= _state.BalanceSlot)
            {
                _state = _state with { Lamports = account.Lamports, BalanceSlot = account.Slot };
            }
        }
        catch (Exception e) when (e is TimeoutException or InvalidOperationException)
        {
            WalletLog.InitialReadFailed(logger, Key, e);
        }
    }

    private async Task SaveAndPublishAsync(WalletActivityEntry? activity)
    {
        await store.SaveWalletAsync(_state, CancellationToken.None).ConfigureAwait(false);
        // Grows across restarts too: at least the clock in microseconds.
        _sequence = Math.Max(_sequence + 1, time.GetUtcNow().ToUnixTimeMilliseconds() * 1000);
        await streams.PublishAsync(StreamId.ForWallet(Key), new WalletChanged(Key, _sequence, Redacted(_state), activity)).ConfigureAwait(false);
    }

    private List<NotificationSink> MergeSinks(IReadOnlyList<NotificationSink>? added)
    {
        var sinks = _state.Sinks.ToList();
        foreach (var sink in added ?? [])
        {
            if (ValidateSink(sink) is { } error)
            {
                throw new ArgumentException(error, nameof(added));
            }

            // A view sent back keeps the secret it stands for.
            var kept = sink.Secret == NotificationSink.RedactedSecret ? sink with { Secret = sinks.Find(s => s.Id == sink.Id)?.Secret } : sink;
            sinks.RemoveAll(s => s.Id == sink.Id);
            sinks.Add(kept);
        }

        if (sinks.Count > Options.MaxSinksPerWallet)
        {
            throw new ArgumentException(
                $"a wallet has at most {Options.MaxSinksPerWallet} notification sinks ({WalletOptions.SectionName}:{nameof(WalletOptions.MaxSinksPerWallet)}); this would make {sinks.Count}",
                nameof(added));
        }

        return sinks;
    }

    /// <summary>Why <paramref name="sink"/> is not usable, or null.</summary>
    public static string? ValidateSink(NotificationSink sink)
    {
        ArgumentNullException.ThrowIfNull(sink);
        if (sink.Kind is not (NotificationSink.Webhook or NotificationSink.Discord))
        {
            return $"sink kind '{sink.Kind}' is not known: use '{NotificationSink.Webhook}' or '{NotificationSink.Discord}'";
        }

        if (!Uri.TryCreate(sink.Url, UriKind.Absolute, out var url) || (url.Scheme != Uri.UriSchemeHttp && url.Scheme != Uri.UriSchemeHttps))
        {
            return $"sink url '{sink.Url}' is not an absolute http or https URL";
        }

        if (sink.Url.Length > MaxSinkUrlLength)
        {
            return $"sink url is longer than {MaxSinkUrlLength} characters";
        }

        return sink.Secret switch
        {
            { Length: 0 } => "sink secret must not be empty when given",
            { Length: > MaxSinkSecretLength } => $"sink secret is longer than {MaxSinkSecretLength} characters",
            _ => null,
        };
    }

    private string ValidTracker(string tracker)
    {
        if (string.IsNullOrWhiteSpace(tracker) || tracker == WalletTrackRequest.AllTrackers)
        {
            throw new ArgumentException("tracker must be a non-empty name other than '*'", nameof(tracker));
        }

        if (tracker.Length > Options.MaxTrackerLength)
        {
            throw new ArgumentException($"tracker name is longer than {Options.MaxTrackerLength} characters", nameof(tracker));
        }

        return tracker;
    }

    private void EnsureValidAddress()
    {
        if (!Pubkey.TryParse(Key, out _, out var error))
        {
            throw new ArgumentException($"wallet address '{Key}' is not valid: {error}");
        }
    }

    // A secret never leaves the grain; views keep a marker so readers can tell a sink has one.
    private static WalletState Redacted(WalletState state) =>
        state.Sinks.Any(s => s.Secret is not null and not NotificationSink.RedactedSecret)
            ? state with { Sinks = [.. state.Sinks.Select(s => s.Secret is null ? s : s with { Secret = NotificationSink.RedactedSecret })] }
            : state;
}
