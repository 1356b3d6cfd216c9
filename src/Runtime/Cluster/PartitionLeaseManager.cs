using System.Data.Common;

using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace AccountGrains.Runtime.Cluster;

/// <summary>
/// Holds this silo's share of the partition leases. Every <see cref="ClusterOptions.RenewInterval"/> it renews what it
/// owns, then moves towards its fair share of the live silos: it acquires free or expired partitions (epoch + 1) or
/// releases extras so that newcomers get some.
/// <para>
/// Fencing: each owned lease has a local deadline, start of its last successful renewal (or acquisition) +
/// <see cref="ClusterOptions.LeaseDuration"/> - <see cref="ClusterOptions.SafetyMargin"/>, measured on the monotonic
/// local clock. The database lets another silo take the lease only at <c>now() + LeaseDuration</c> as of that
/// renewal, which is later; so a timer per lease reports it <see cref="Lost"/> in time, even when the database is
/// unreachable or a query hangs.
/// </para>
/// <para>
/// <see cref="Acquired"/> and <see cref="Lost"/> are raised synchronously, one at a time, under the manager's lock, in
/// the order the changes happened: when a Lost handler returns, the caller must have stopped processing the
/// partition. Handlers must be quick and must not call back into the manager from another thread and wait.
/// </para>
/// </summary>
public sealed class PartitionLeaseManager : IHostedService, IAsyncDisposable
{
    private readonly ClusterOptions _options;
    private readonly DbDataSource _dataSource;
    private readonly MembershipService _membership;
    private readonly ILogger _logger;
    private readonly ClusterMetrics? _metrics;
    private readonly TimeProvider _timeProvider;
    private readonly Lock _gate = new();
    private readonly Dictionary<int, OwnedLease> _owned = [];
    private readonly BackgroundLoop _loop = new();
    private bool _stopped;

    public PartitionLeaseManager(
        IOptions<ClusterOptions> options,
        DbDataSource dataSource,
        MembershipService membership,
        ILogger<PartitionLeaseManager> logger,
        ClusterMetrics? metrics = null,
        TimeProvider? timeProvider = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        _options = options.Value;
        _dataSource = dataSource ?? throw new ArgumentNullException(nameof(dataSource));
        _membership = membership ?? throw new ArgumentNullException(nameof(membership));
        _logger = logger ?? throw new ArgumentNullException(nameof(logger));
        _metrics = metrics;
        _timeProvider = timeProvider ?? TimeProvider.System;
        Table = new PartitionLeaseTable(dataSource);
        _metrics?.ObservePartitionsOwned(() =>
        {
            lock (_gate)
            {
                return _owned.Count;
            }
        });
    }

    /// <summary>A partition is now owned by this silo at the given epoch.</summary>
    public event EventHandler<PartitionAcquiredEventArgs>? Acquired;

    /// <summary>A partition is no longer owned by this silo: stop processing it before returning.</summary>
    public event EventHandler<PartitionLostEventArgs>? Lost;

    public PartitionLeaseTable Table { get; }

    /// <summary>The partitions owned now, partition → epoch.</summary>
    public IReadOnlyDictionary<int, long> OwnedPartitions
    {
        get
        {
            lock (_gate)
            {
                return _owned.ToDictionary(o => o.Key, o => o.Value.Epoch);
            }
        }
    }

    /// <summary>
    /// True when this silo owns <paramref name="partition"/> at <paramref name="epoch"/> and its local deadline has not
    /// passed (even if the deadline timer has not run yet).
    /// </summary>
    public bool IsOwned(int partition, long epoch)
    {
        lock (_gate)
        {
            return _owned.TryGetValue(partition, out var lease) && lease.Epoch == epoch
                && _timeProvider.GetTimestamp() < lease.Deadline;
        }
    }

    /// <summary>Creates the tables and partition rows if needed and starts renewing and balancing.</summary>
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        if (_loop.IsStarted)
        {
            throw new InvalidOperationException("The partition lease manager was already started.");
        }

        await ClusterSchema.EnsureCreatedAsync(_dataSource, cancellationToken).ConfigureAwait(false);
        await Table.EnsurePartitionsAsync(_options.PartitionCount, cancellationToken).ConfigureAwait(false);
        ClusterLog.LeasesStarted(_logger, _options.MemberId, _options.PartitionCount, _options.LeaseDuration, _options.RenewInterval);
        _loop.Start(RunAsync);
    }

    /// <summary>
    /// Stops balancing, reports every owned partition lost (<see cref="LeaseLossReason.Stopping"/>) and releases them
    /// all in one statement, so other silos take them at their next round instead of waiting for expiry.
    /// </summary>
    public async Task StopAsync(CancellationToken cancellationToken)
    {
        await _loop.StopAsync().ConfigureAwait(false);
        Dictionary<int, long> released;
        lock (_gate)
        {
            if (_stopped)
            {
                return;
            }

            _stopped = true;
            released = _owned.ToDictionary(o => o.Key, o => o.Value.Epoch);
            foreach (var partition in released.Keys)
            {
                LoseLocked(partition, LeaseLossReason.Stopping);
            }
        }

        await ReleaseAsync(released, LeaseLossReason.Stopping, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Stops everything without releasing or reporting anything: the leases stay in the database until they expire,
    /// as after a crash. Call <see cref="StopAsync"/> first for a graceful stop.
    /// </summary>
    public async ValueTask DisposeAsync()
    {
        await _loop.StopAsync().ConfigureAwait(false);
        lock (_gate)
        {
            _stopped = true;
            foreach (var lease in _owned.Values)
            {
                lease.Timer.Dispose();
            }

            _owned.Clear();
        }

        _loop.Dispose();
    }


    private async Task RunAsync(CancellationToken stopping)
    {
        while (!stopping.IsCancellationRequested)
        {
            try
            {
                await RenewAsync(stopping).ConfigureAwait(false);
                await BalanceAsync(stopping).ConfigureAwait(false);
                await Task.Delay(_options.RenewInterval, _timeProvider, stopping).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (stopping.IsCancellationRequested)
            {
                return;
            }
        }
    }

    private async Task RenewAsync(CancellationToken stopping)
    {
        Dictionary<int, long> held;
        lock (_gate)
        {
            held = _owned.ToDictionary(o => o.Key, o => o.Value.Epoch);
        }

        if (held.Count == 0)
        {
            return;
        }

        // Taken before the statement is sent: the database's now() + LeaseDuration is later than this + LeaseDuration.
        var started = _timeProvider.GetTimestamp();
        IReadOnlySet<int> renewed;
        using (var timeout = OperationTimeout(stopping))
        {
            try
            {
                renewed = await Table.RenewAsync(_options.MemberId, held, _options.LeaseDuration, timeout.Token).ConfigureAwait(false);
            }
            catch (Exception e) when (!stopping.IsCancellationRequested && MembershipService.IsTransient(e))
            {
                ClusterLog.RenewFailed(_logger, held.Count, e);
                return;
            }
        }

        var renewedTooLate = new Dictionary<int, long>();
        lock (_gate)
        {
            var deadline = started + ToTimestampTicks(_options.LeaseDuration - _options.SafetyMargin);
            foreach (var (partition, epoch) in held)
            {
                if (!_owned.TryGetValue(partition, out var lease) || lease.Epoch != epoch)
                {
                    // Lost meanwhile (the deadline passed) but renewed in the database after all: nobody processes
                    // it now, and nobody else may take it until that renewal expires. Give it back.
                    if (renewed.Contains(partition))
                    {
                        renewedTooLate[partition] = epoch;
                    }

                    continue;
                }

                if (renewed.Contains(partition))
                {
                    lease.Deadline = deadline;
                    lease.Timer.Change(RemainingUntil(deadline), Timeout.InfiniteTimeSpan);
                }
                else
                {
                    LoseLocked(partition, LeaseLossReason.Refused);
                }
            }
        }

        if (renewedTooLate.Count > 0)
        {
            using var timeout = OperationTimeout(stopping);
            try
            {
                await Table.ReleaseAsync(_options.MemberId, renewedTooLate, timeout.Token).ConfigureAwait(false);
            }
            catch (Exception e) when (!stopping.IsCancellationRequested && MembershipService.IsTransient(e))
            {
                ClusterLog.RenewFailed(_logger, renewedTooLate.Count, e); // it expires by itself then
            }
        }
    }

    private async Task BalanceAsync(CancellationToken stopping)
    {
        using var timeout = OperationTimeout(stopping);
        try
        {
            var live = await _membership.Table.ListLiveAsync(_options.DeadAfter, timeout.Token).ConfigureAwait(false);
            var target = FairShare(live);
            Dictionary<int, long> extras;
            int missing;
            lock (_gate)
            {
                missing = target - _owned.Count;
                // Stop processing before the database lets anyone else in.
                extras = _owned.OrderByDescending(o => o.Key).Take(Math.Max(0, -missing)).ToDictionary(o => o.Key, o => o.Value.Epoch);
                foreach (var partition in extras.Keys)
                {
                    LoseLocked(partition, LeaseLossReason.Released);
                }
            }

            if (extras.Count > 0)
            {
                await ReleaseAsync(extras, LeaseLossReason.Released, timeout.Token).ConfigureAwait(false);
            }

            if (missing > 0)
            {
                var started = _timeProvider.GetTimestamp();
                var acquired = await Table.AcquireAsync(_options.MemberId, missing, _options.LeaseDuration, timeout.Token).ConfigureAwait(false);
                lock (_gate)
                {
                    var deadline = started + ToTimestampTicks(_options.LeaseDuration - _options.SafetyMargin);
                    foreach (var (partition, epoch) in acquired.OrderBy(a => a.Key))
                    {
                        AddLocked(partition, epoch, deadline);
                    }
                }
            }
        }
        catch (Exception e) when (!stopping.IsCancellationRequested && MembershipService.IsTransient(e))
        {
            ClusterLog.RebalanceFailed(_logger, e);
        }
    }

    /// <summary>
    /// This silo's share: P / n, plus one for the first P mod n silos by member id, so the shares add up to exactly P
    /// and every silo reaches its own (with ceil(P / n) for all, 64 over 3 could settle at 22/22/20). A silo that is
    /// not live itself (declared dead, leaving) gets none.
    /// </summary>
    internal int FairShare(IReadOnlyList<ClusterMember> live)
    {
        var silos = live.Where(m => m.Kind == ClusterMemberKind.Silo).Select(m => m.MemberId).Order(StringComparer.Ordinal).ToList();
        var rank = silos.IndexOf(_options.MemberId);
        if (rank < 0)
        {
            return 0;
        }

        var share = _options.PartitionCount / silos.Count;
        return rank < _options.PartitionCount % silos.Count ? share + 1 : share;
    }

    private async Task ReleaseAsync(Dictionary<int, long> leases, LeaseLossReason reason, CancellationToken cancellationToken)
    {
        if (leases.Count == 0)
        {
            return;
        }

        try
        {
            var released = await Table.ReleaseAsync(_options.MemberId, leases, cancellationToken).ConfigureAwait(false);
            foreach (var partition in released)
            {
                ClusterLog.LeaseReleased(_logger, partition, leases[partition], reason);
            }
        }
        catch (Exception e) when (MembershipService.IsTransient(e))
        {
            ClusterLog.ReleaseFailed(_logger, leases.Count, e);
        }
    }

    private void AddLocked(int partition, long epoch, long deadline)
    {
        var timer = _timeProvider.CreateTimer(
            static state => ((Deadline)state!).Owner.OnDeadline(((Deadline)state).Partition, ((Deadline)state).Epoch),
            new Deadline(this, partition, epoch), Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
        _owned[partition] = new OwnedLease(epoch, deadline, timer);
        _metrics?.LeaseAcquired();
        ClusterLog.LeaseAcquired(_logger, partition, epoch);
        try
        {
            Acquired?.Invoke(this, new PartitionAcquiredEventArgs(partition, epoch));
        }
        catch (Exception e)
        {
            ClusterLog.HandlerFailed(_logger, partition, e);
        }

        // Armed after the handler: a deadline that passed meanwhile is reported after the acquisition, never before.
        timer.Change(RemainingUntil(deadline), Timeout.InfiniteTimeSpan);
    }

    private void OnDeadline(int partition, long epoch)
    {
        lock (_gate)
        {
            if (!_owned.TryGetValue(partition, out var lease) || lease.Epoch != epoch)
            {
                return;
            }

            var remaining = RemainingUntil(lease.Deadline);
            if (remaining > TimeSpan.Zero)
            {
                lease.Timer.Change(remaining, Timeout.InfiniteTimeSpan); // renewed while this callback was queued
                return;
            }

            LoseLocked(partition, LeaseLossReason.Expired);
        }
    }

    private void LoseLocked(int partition, LeaseLossReason reason)
    {
        if (!_owned.Remove(partition, out var lease))
        {
            return;
        }

        lease.Timer.Dispose();
        _metrics?.LeaseLost(reason);
        ClusterLog.LeaseLost(_logger, partition, lease.Epoch, reason);
        try
        {
            Lost?.Invoke(this, new PartitionLostEventArgs(partition, lease.Epoch, reason));
        }
        catch (Exception e)
        {
            ClusterLog.HandlerFailed(_logger, partition, e);
        }
    }

    /// <summary>A statement that outlives the lease it would extend is pointless: give up after LeaseDuration - SafetyMargin.</summary>
    private CancellationTokenSource OperationTimeout(CancellationToken stopping)
    {
        var timeout = CancellationTokenSource.CreateLinkedTokenSource(stopping);
        timeout.CancelAfter(_options.LeaseDuration - _options.SafetyMargin);
        return timeout;
    }

    private TimeSpan RemainingUntil(long deadline)
    {
        var remaining = _timeProvider.GetElapsedTime(_timeProvider.GetTimestamp(), deadline);
        return remaining > TimeSpan.Zero ? remaining : TimeSpan.Zero;
    }

    private long ToTimestampTicks(TimeSpan span) => (long)(span.TotalSeconds * _timeProvider.TimestampFrequency);

    private sealed class OwnedLease(long epoch, long deadline, ITimer timer)
    {
        public long Epoch { get; } = epoch;

        /// <summary>Local monotonic timestamp after which the lease must not be trusted.</summary>
        public long Deadline { get; set; } = deadline;

        public ITimer Timer { get; } = timer;
    }

    private sealed record Deadline(PartitionLeaseManager Owner, int Partition, long Epoch);
}
