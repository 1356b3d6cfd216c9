using System.Data.Common;

using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace AccountGrains.Runtime.Cluster;

/// <summary>
/// This process's membership: registers it as active, heartbeats every <see cref="ClusterOptions.HeartbeatInterval"/>,
/// declares silent members dead (any live member may; the UPDATE is idempotent) and deletes their rows after
/// <see cref="ClusterOptions.CleanupAfter"/>. A member that finds itself declared dead completes
/// <see cref="Terminated"/> and stops heartbeating: the host must stop, because the others already treat it as gone.
/// <see cref="StopAsync"/> leaves gracefully; <see cref="DisposeAsync"/> alone abandons the row, as a crash would.
/// </summary>
public sealed class MembershipService : IHostedService, IAsyncDisposable
{
    private readonly ClusterOptions _options;
    private readonly DbDataSource _dataSource;
    private readonly ILogger _logger;
    private readonly ClusterMetrics? _metrics;
    private readonly TimeProvider _timeProvider;
    private readonly TaskCompletionSource<string> _terminated = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly BackgroundLoop _loop = new();
    private volatile IReadOnlyList<ClusterMember> _liveMembers = [];
    private bool _left;
    private long? _healthySince;

    public MembershipService(
        IOptions<ClusterOptions> options,
        DbDataSource dataSource,
        ILogger<MembershipService> logger,
        ClusterMetrics? metrics = null,
        TimeProvider? timeProvider = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        _options = options.Value;
        _dataSource = dataSource ?? throw new ArgumentNullException(nameof(dataSource));
        _logger = logger ?? throw new ArgumentNullException(nameof(logger));
        _metrics = metrics;
        _timeProvider = timeProvider ?? TimeProvider.System;
        Table = new MembershipTable(dataSource);
    }

    public string MemberId => _options.MemberId;

    public MembershipTable Table { get; }

    /// <summary>Completes with the reason when this member was declared dead by the others; the host should stop.</summary>
    public Task<string> Terminated => _terminated.Task;

    /// <summary>Live members as of the last heartbeat round (active, heartbeat younger than DeadAfter), by member id.</summary>
    public IReadOnlyList<ClusterMember> LiveMembers => _liveMembers;

    /// <summary>Creates the tables if needed, registers this member as active and starts heartbeating.</summary>
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        if (_loop.IsStarted)
        {
            throw new InvalidOperationException("The membership service was already started.");
        }

        await ClusterSchema.EnsureCreatedAsync(_dataSource, cancellationToken).ConfigureAwait(false);
        await Table.RegisterAsync(_options.MemberId, _options.Kind, _options.Address, cancellationToken).ConfigureAwait(false);
        _healthySince = _timeProvider.GetTimestamp();
        _liveMembers = await Table.ListLiveAsync(_options.DeadAfter, cancellationToken).ConfigureAwait(false);
        ClusterLog.Joined(_logger, _options.Kind, _options.MemberId);
        _loop.Start(RunAsync);
    }

    /// <summary>Stops heartbeating and leaves: the row goes to 'leaving' (no longer live) and is deleted.</summary>
    public async Task StopAsync(CancellationToken cancellationToken)
    {
        await _loop.StopAsync().ConfigureAwait(false);
        if (_left || _terminated.Task.IsCompleted || !_loop.IsStarted)
        {
            return;
        }

        _left = true;
        try
        {
            await Table.LeaveAsync(_options.MemberId, cancellationToken).ConfigureAwait(false);
            ClusterLog.Left(_logger, _options.MemberId);
        }
        catch (Exception e) when (IsTransient(e))
        {
            ClusterLog.LeaveFailed(_logger, _options.MemberId, e);
        }
    }

    /// <summary>Stops heartbeating without leaving (a crash, as far as the others can tell).</summary>
    public async ValueTask DisposeAsync()
    {
        await _loop.StopAsync().ConfigureAwait(false);
        _loop.Dispose();
    }


    private async Task RunAsync(CancellationToken stopping)
    {
        while (!stopping.IsCancellationRequested)
        {
            try
            {
                await Task.Delay(_options.HeartbeatInterval, _timeProvider, stopping).ConfigureAwait(false);
                if (!await HeartbeatAsync(stopping).ConfigureAwait(false))
                {
                    return;
                }

                await MaintainAsync(stopping).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (stopping.IsCancellationRequested)
            {
                return;
            }
        }
    }

    /// <summary>False when this member found itself declared dead.</summary>
    private async Task<bool> HeartbeatAsync(CancellationToken stopping)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(stopping);
        timeout.CancelAfter(_options.DeadAfter);
        try
        {
            if (await Table.HeartbeatAsync(_options.MemberId, timeout.Token).ConfigureAwait(false))
            {
                if (_healthySince is null)
                {
                    _healthySince = _timeProvider.GetTimestamp();
                }

                return true;
            }
        }
        catch (Exception e) when (!stopping.IsCancellationRequested && IsTransient(e))
        {
            ClusterLog.HeartbeatFailed(_logger, _options.MemberId, e);
            _healthySince = null;
            return true;
        }

        var reason = $"member '{_options.MemberId}' is no longer active in the membership table: it was declared dead " +
            $"(no heartbeat for {_options.DeadAfter}) or its row was removed";
        ClusterLog.Terminated(_logger, _options.MemberId, reason);
        _liveMembers = [];
        _terminated.TrySetResult(reason);
        return false;
    }

    private async Task MaintainAsync(CancellationToken stopping)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(stopping);
        timeout.CancelAfter(_options.DeadAfter);
        try
        {
            // Only silos judge (gateways and clients may be configured by others, with other timings), and only a silo
            // that has itself reached the database for DeadAfter: after the database was away (restarted) every
            // heartbeat is old, and the first member back must not declare the rest dead before they had their chance
            // to heartbeat again.
            var dead = _options.Kind == ClusterMemberKind.Silo && _healthySince is { } since && _timeProvider.GetElapsedTime(since) >= _options.DeadAfter
                ? await Table.DeclareSilentMembersDeadAsync(_options.MemberId, _options.DeadAfter, timeout.Token).ConfigureAwait(false)
                : [];
            if (dead.Count > 0)
            {
                ClusterLog.DeclaredDead(_logger, dead.Count, string.Join(", ", dead));
                _metrics?.MembersDeclaredDead(dead.Count);
            }

            var deleted = await Table.DeleteDeadAsync(_options.CleanupAfter, timeout.Token).ConfigureAwait(false);
            if (deleted > 0)
            {
                ClusterLog.CleanedUp(_logger, deleted);
            }

            _liveMembers = await Table.ListLiveAsync(_options.DeadAfter, timeout.Token).ConfigureAwait(false);
        }
        catch (Exception e) when (!stopping.IsCancellationRequested && IsTransient(e))
        {
            ClusterLog.MaintenanceFailed(_logger, e);
        }
    }

    internal static bool IsTransient(Exception e) =>
        e is DbException or OperationCanceledException or TimeoutException or System.Net.Sockets.SocketException or IOException;
}
