namespace AccountGrains.Testing.Cluster;

/// <summary>A lease row that changed owner or epoch between two polls (or was seen for the first time).</summary>
public sealed record LeaseChange(DateTimeOffset ObservedAt, int Partition, string? Owner, long Epoch, DateTimeOffset ExpiresAt, string? PreviousOwner, long? PreviousEpoch)
{
    public override string ToString() =>
        $"{ObservedAt:HH:mm:ss.fff} partition {Partition}: {PreviousOwner ?? "-"}@{PreviousEpoch?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "-"} -> {Owner ?? "-"}@{Epoch}";
}

/// <summary>
/// Polls <c>partition_leases</c> in the background (every 100 ms by default) and records every change of a
/// partition's (owner, epoch) with the time it was seen, so a test can check afterwards that epochs only grew and
/// that no epoch had two owners. A poll that fails (the database restarting) is counted and the next one tried;
/// changes that came and went between two polls are not seen, which can hide nothing the checks look for: an epoch
/// only grows in the database, so a lower one seen later is a real regression.
/// </summary>
public sealed class LeaseWatcher : IAsyncDisposable
{
    private readonly ClusterDatabase _database;
    private readonly TimeSpan _interval;
    private readonly CancellationTokenSource _stop = new();
    private readonly object _gate = new();
    private readonly List<LeaseChange> _changes = [];
    private readonly Dictionary<int, PartitionLeaseRow> _current = [];
    private Task _loop = Task.CompletedTask;
    private long _polls;
    private long _failures;

    public LeaseWatcher(ClusterDatabase database, TimeSpan? interval = null)
    {
        _database = database ?? throw new ArgumentNullException(nameof(database));
        _interval = interval ?? TimeSpan.FromMilliseconds(100);
    }

    /// <summary>Successful polls so far.</summary>
    public long Polls => Interlocked.Read(ref _polls);

    /// <summary>Failed polls so far (the database unreachable).</summary>
    public long Failures => Interlocked.Read(ref _failures);

    public string? LastError { get; private set; }

    public IReadOnlyList<LeaseChange> Changes
    {
        get
        {
            lock (_gate)
            {
                return [.. _changes];
            }
        }
    }

    /// <summary>The rows as of the last successful poll.</summary>
    public IReadOnlyList<PartitionLeaseRow> Current
    {
        get
        {
            lock (_gate)
            {
                return [.. _current.Values.OrderBy(r => r.Partition)];
            }
        }
    }

    public LeaseWatcher Start()
    {
        _loop = Task.Run(() => RunAsync(_stop.Token));
        return this;
    }

    /// <summary>Waits until at least one more poll than now has succeeded.</summary>
    public async Task WaitForNextPollAsync(TimeSpan? timeout = null)
    {
        var target = Polls + 1;
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(10));
        while (Polls < target)
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"the lease watcher made no successful poll (last error: {LastError})");
            }

            await Task.Delay(20).ConfigureAwait(false);
        }
    }

    /// <summary>One poll now (the background loop does the same); public for tests of the watcher.</summary>
    public async Task PollAsync(CancellationToken cancellationToken = default)
    {
        var snapshot = await _database.ReadLeasesAsync(cancellationToken).ConfigureAwait(false);
        var observedAt = DateTimeOffset.UtcNow;
        lock (_gate)
        {
            foreach (var row in snapshot.Leases)
            {
                if (_current.TryGetValue(row.Partition, out var before) && before.Owner == row.Owner && before.Epoch == row.Epoch)
                {
                    _current[row.Partition] = row;
                    continue;
                }

                _changes.Add(new LeaseChange(observedAt, row.Partition, row.Owner, row.Epoch, row.ExpiresAt, before?.Owner, before?.Epoch));
                _current[row.Partition] = row;
            }
        }

        Interlocked.Increment(ref _polls);
    }

    /// <summary>
    /// What the recorded history breaks: an epoch lower than one seen before for the same partition, or one epoch of
    /// a partition held by two different owners. Empty when all is well.
    /// </summary>
    public IReadOnlyList<string> Violations() => ClusterInvariants.LeaseHistoryViolations(Changes);

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        await _loop.ConfigureAwait(false);
        _stop.Dispose();
    }

    private async Task RunAsync(CancellationToken stop)
    {
        while (!stop.IsCancellationRequested)
        {
            try
            {
                await PollAsync(stop).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                Interlocked.Increment(ref _failures);
                LastError = e.Message;
            }

            try
            {
                await Task.Delay(_interval, stop).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }
}
