namespace AccountGrains.Runtime.Storage;

/// <summary>
/// Keeps wallets in memory, for stores that cannot hold them (test doubles): lost on restart. Orders and pages
/// activity as the database stores do: by slot, then by when an entry was added.
/// </summary>
public sealed class InMemoryWalletStore : IWalletStore
{
    private readonly Lock _gate = new();
    private readonly Dictionary<string, WalletState> _wallets = new(StringComparer.Ordinal);
    private readonly Dictionary<string, List<Recorded<WalletActivityEntry>>> _activity = new(StringComparer.Ordinal);
    private readonly List<Recorded<NotificationDeadLetter>> _deadLetters = [];
    private long _lastId;

    public Task<WalletState?> ReadWalletAsync(string address, CancellationToken cancellationToken)
    {
        WalletStoreArguments.Address(address);
        lock (_gate)
        {
            return Task.FromResult(_wallets.GetValueOrDefault(address));
        }
    }

    public Task SaveWalletAsync(WalletState wallet, CancellationToken cancellationToken)
    {
        WalletStoreArguments.Wallet(wallet);
        lock (_gate)
        {
            _wallets[wallet.Address] = wallet;
        }

        return Task.CompletedTask;
    }

    public Task<bool> AddActivityAsync(WalletActivityEntry activity, CancellationToken cancellationToken)
    {
        WalletStoreArguments.Activity(activity);
        lock (_gate)
        {
            if (!_activity.TryGetValue(activity.Wallet, out var entries))
            {
                entries = [];
                _activity[activity.Wallet] = entries;
            }

            if (entries.Exists(e => e.Value.Signature == activity.Signature))
            {
                return Task.FromResult(false);
            }

            entries.Add(new(++_lastId, activity));
            return Task.FromResult(true);
        }
    }

    public Task<IReadOnlyList<WalletActivityEntry>> ReadActivityAsync(string address, ActivityQuery query, CancellationToken cancellationToken)
    {
        WalletStoreArguments.Address(address);
        var limit = WalletStoreArguments.PageSize(query);
        var before = WalletStoreArguments.Before(query);
        lock (_gate)
        {
            IEnumerable<Recorded<WalletActivityEntry>> newest = NewestFirst(address);
            if (before is not null)
            {
                var cursor = newest.FirstOrDefault(e => e.Value.Signature == before);
                newest = cursor is null ? [] : newest.SkipWhile(e => e != cursor).Skip(1);
            }

            return Task.FromResult<IReadOnlyList<WalletActivityEntry>>([.. newest.Take(limit).Select(e => e.Value)]);
        }
    }

    public Task<int> PruneActivityAsync(string address, int keep, CancellationToken cancellationToken)
    {
        WalletStoreArguments.Address(address);
        WalletStoreArguments.Keep(keep);
        lock (_gate)
        {
            var kept = NewestFirst(address).Take(keep).ToList();
            var deleted = _activity.TryGetValue(address, out var entries) ? entries.Count - kept.Count : 0;
            if (deleted > 0)
            {
                kept.Reverse();
                _activity[address] = kept;
            }

            return Task.FromResult(deleted);
        }
    }

    public Task AddDeadLetterAsync(NotificationDeadLetter letter, CancellationToken cancellationToken)
    {
        WalletStoreArguments.DeadLetter(letter);
        lock (_gate)
        {
            _deadLetters.Add(new(++_lastId, letter));
        }

        return Task.CompletedTask;
    }

    public Task<IReadOnlyList<NotificationDeadLetter>> ReadDeadLettersAsync(string? wallet, int limit, CancellationToken cancellationToken)
    {
        WalletStoreArguments.WalletFilter(wallet);
        WalletStoreArguments.Limit(limit);
        lock (_gate)
        {
            return Task.FromResult<IReadOnlyList<NotificationDeadLetter>>(
            [
                .. _deadLetters.AsEnumerable().Reverse()
                    .Where(d => wallet is null || d.Value.Wallet == wallet)
                    .Take(limit)
                    .Select(d => d.Value),
            ]);
        }
    }

    /// <summary>The wallet's entries by slot, then by insertion, newest first; call under the lock.</summary>
    private List<Recorded<WalletActivityEntry>> NewestFirst(string address) =>
        _activity.TryGetValue(address, out var entries)
            ? [.. entries.OrderByDescending(e => e.Value.Slot).ThenByDescending(e => e.Id)]
            : [];

    /// <summary>A stored value and its insertion number (the database's <c>id</c>).</summary>
    private sealed record Recorded<T>(long Id, T Value);
}
