using System.Collections.Concurrent;
using System.Diagnostics;
using AccountGrains.Runtime.Catalog;
using AccountGrains.Runtime.Cluster;
using AccountGrains.Runtime.Configuration;
using AccountGrains.Runtime.Partitioning;
using AccountGrains.Runtime.Storage;
using AccountGrains.Runtime.Storage.AdoNet;
using AccountGrains.Runtime.Transport;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace AccountGrains.Runtime.Hosting.Cluster;

/// <summary>
/// Runs this process as one silo of a cluster: joins the membership, holds its share of the partition leases, and
/// consumes exactly the partitions it owns.
/// <list type="bullet">
/// <item>Acquired partition p at epoch e: rows of p's accounts are written with epoch e from now on (the store's fence),
/// p's queue is consumed, and the <see cref="IPartitionListener"/>s are told (the ingest leader starts).</item>
/// <item>Lost p (renewal refused, local deadline passed, rebalanced away): p's consumer is fenced before the lease
/// manager's handler returns (nothing more is taken or acknowledged; unacknowledged messages return to the queue for
/// the next owner), then p's activations are deactivated so a later owner starts from storage.</item>
/// <item>Declared dead by the others: stops the process.</item>
/// <item>Graceful stop: the ingest and consumers stop taking, what was taken is stored and acknowledged, activations
/// deactivate, and only then are the leases released for the others to take at once.</item>
/// </list>
/// </summary>
public sealed partial class ClusterSiloHost : IHostedService, IAsyncDisposable
{
    private readonly IAccountStore _store;
    private readonly AccountWriteBehind _writeBehind;
    private readonly IMessageTransport _transport;
    private readonly RabbitMqCluster _rabbit;
    private readonly GrainCatalog _catalog;
    private readonly MembershipService _membership;
    private readonly PartitionLeaseManager _leases;
    private readonly IEnumerable<IPartitionListener> _listeners;
    private readonly IHostApplicationLifetime _lifetime;
    private readonly GrainRuntimeOptions _options;
    private readonly ILogger<ClusterSiloHost> _logger;
    private readonly ConcurrentDictionary<int, long> _epochs = new();
    private readonly Dictionary<int, PartitionWork> _partitions = [];
    private readonly Lock _gate = new();
    private readonly CancellationTokenSource _stopping = new();
    private Task _collector = Task.CompletedTask;
    private bool _started;

    public ClusterSiloHost(
        IAccountStore store,
        AccountWriteBehind writeBehind,
        IMessageTransport transport,
        RabbitMqCluster rabbit,
        GrainCatalog catalog,
        MembershipService membership,
        PartitionLeaseManager leases,
        IEnumerable<IPartitionListener> listeners,
        IHostApplicationLifetime lifetime,
        IOptions<GrainRuntimeOptions> options,
        ILogger<ClusterSiloHost> logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        _store = store;
        _writeBehind = writeBehind;
        _transport = transport;
        _rabbit = rabbit;
        _catalog = catalog;
        _membership = membership;
        _leases = leases;
        _listeners = listeners;
        _lifetime = lifetime;
        _options = options.Value;
        _logger = logger;
        if (store is AdoNetAccountStore fenced)
        {
            // Every row carries the epoch of the lease its partition was processed under. After a loss the last
            // epoch stays: a late write of the old owner is then refused where the new owner has written.
            fenced.EpochOf = pubkey => _epochs.GetValueOrDefault(PartitionHash.PartitionOf(pubkey, _options.PartitionCount));
        }
    }

    /// <summary>The partitions this silo is processing now, partition → epoch.</summary>
    public IReadOnlyDictionary<int, long> Processing
    {
        get
        {
            lock (_gate)
            {
                return _partitions.ToDictionary(p => p.Key, p => p.Value.Epoch);
            }
        }
    }

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var version = await _store.MigrateAsync(cancellationToken).ConfigureAwait(false);
        RuntimeLog.StorageReady(_logger, _store.GetType().Name, _store.Describe, version);
        _writeBehind.Start();
        await _rabbit.OpenAsync(cancellationToken).ConfigureAwait(false);
        await _membership.StartAsync(cancellationToken).ConfigureAwait(false);
        _ = _membership.Terminated.ContinueWith(
            t =>
            {
                Log.DeclaredDead(_logger, _membership.MemberId, t.Result);
                _lifetime.StopApplication();
            },
            CancellationToken.None,
            TaskContinuationOptions.OnlyOnRanToCompletion,
            TaskScheduler.Default);
        _leases.Acquired += OnAcquired;
        _leases.Lost += OnLost;
        await _leases.StartAsync(cancellationToken).ConfigureAwait(false);
        _collector = _catalog.RunCollectorAsync(_stopping.Token);
        _started = true;
        Log.SiloStarted(_logger, _membership.MemberId, _options.PartitionCount);
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        if (!_started)
        {
            return;
        }

        _started = false;
        var started = Stopwatch.GetTimestamp();
        await _stopping.CancelAsync().ConfigureAwait(false);
        await _collector.ConfigureAwait(false);

        // Stop taking, let what was taken be stored and acknowledged, then deactivate everything (the ingest first
        // stops reading, as the grains' hosted services stopped before this one).
        PartitionWork[] owned;
        lock (_gate)
        {
            owned = [.. _partitions.Values];
        }

        await Task.WhenAll(owned.Select(p => p.DrainAsync(cancellationToken))).ConfigureAwait(false);
        var activations = _catalog.ActivationCount;
        await _catalog.DeactivateAllAsync(cancellationToken).ConfigureAwait(false);
        await _writeBehind.FlushAsync().WaitAsync(cancellationToken).ConfigureAwait(false);

        // Now the leases can go: the others take them at their next round.
        await _leases.StopAsync(cancellationToken).ConfigureAwait(false);
        await _writeBehind.DisposeAsync().ConfigureAwait(false);
        await _membership.StopAsync(cancellationToken).ConfigureAwait(false);
        RuntimeLog.SiloStopped(_logger, activations, (long)Stopwatch.GetElapsedTime(started).TotalMilliseconds);
    }

    public async ValueTask DisposeAsync()
    {
        _leases.Acquired -= OnAcquired;
        _leases.Lost -= OnLost;
        await _leases.DisposeAsync().ConfigureAwait(false);
        await _membership.DisposeAsync().ConfigureAwait(false);
        PartitionWork[] owned;
        lock (_gate)
        {
            owned = [.. _partitions.Values];
            _partitions.Clear();
        }

        foreach (var work in owned)
        {
            await work.DisposeAsync().ConfigureAwait(false);
        }

        _stopping.Dispose();
    }

    // Raised under the lease manager's lock, one at a time: quick, no waiting.
    private void OnAcquired(object? sender, PartitionAcquiredEventArgs e)
    {
        _epochs[e.Partition] = e.Epoch;
        lock (_gate)
        {
            _partitions.TryGetValue(e.Partition, out var previous);
            var work = new PartitionWork(this, e.Partition, e.Epoch, previous?.Finished ?? Task.CompletedTask);
            _partitions[e.Partition] = work;
        }
    }

    private void OnLost(object? sender, PartitionLostEventArgs e)
    {
        PartitionWork? work;
        lock (_gate)
        {
            if (!_partitions.TryGetValue(e.Partition, out work) || work.Epoch != e.Epoch)
            {
                return;
            }

            _partitions.Remove(e.Partition);
        }

        work.Fence(e.Reason);
    }

    /// <summary>One partition's processing at one epoch: started after the previous epoch's work has finished.</summary>
    private sealed class PartitionWork : IAsyncDisposable
    {
        private readonly ClusterSiloHost _host;
        private readonly TaskCompletionSource _finished = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private readonly Task _starting;
        private IPartitionConsumer? _consumer;
        private int _fenced; // 1 once lost or disposed; Interlocked against the consumer's publication (see StartAsync)

        public PartitionWork(ClusterSiloHost host, int partition, long epoch, Task previous)
        {
            _host = host;
            Partition = partition;
            Epoch = epoch;
            _starting = StartAsync(previous);
        }

        public int Partition { get; }

        public long Epoch { get; }

        public Task Finished => _finished.Task;

        private bool InPartition(GrainId id) => PartitionHash.PartitionOf(id.Key, _host._options.PartitionCount) == Partition;

        public void Fence(LeaseLossReason reason)
        {
            Interlocked.Exchange(ref _fenced, 1);
            Volatile.Read(ref _consumer)?.Fence();
            Log.ProcessingStopped(_host._logger, Partition, Epoch, reason.ToString());
            _ = CleanUpAsync(reason);
        }

        /// <summary>Graceful: stop taking, let what was taken be stored and acknowledged.</summary>
        public async Task DrainAsync(CancellationToken cancellationToken)
        {
            await _starting.ConfigureAwait(false);
            if (Volatile.Read(ref _consumer) is { } consumer)
            {
                await consumer.DrainAsync(cancellationToken).ConfigureAwait(false);
            }
        }

        public async ValueTask DisposeAsync()
        {
            Interlocked.Exchange(ref _fenced, 1);
            await _starting.ConfigureAwait(false);
            if (Interlocked.Exchange(ref _consumer, null) is { } consumer)
            {
                consumer.Fence();
                await consumer.DisposeAsync().ConfigureAwait(false);
            }

            _finished.TrySetResult();
        }

        private async Task StartAsync(Task previous)
        {
            await previous.ConfigureAwait(false);
            if (Volatile.Read(ref _fenced) == 1 || _host._stopping.IsCancellationRequested)
            {
                // Lost already, or the silo is stopping: the lease is released with the others, unprocessed.
                return;
            }

            // Whatever of this partition is still active here (a delivery that was in hand when an earlier epoch was
            // fenced) may be older than storage: start from storage.
            await _host._catalog.DeactivateWhereAsync(InPartition, CancellationToken.None).ConfigureAwait(false);
            var consumer = _host._transport.Consume(Partition, _host._catalog.DeliverAsync);
            // Published with a full fence before the flag is read; Fence sets the flag with a full fence before it reads
            // the consumer: whichever comes second fences it.
            Interlocked.Exchange(ref _consumer, consumer);
            if (Volatile.Read(ref _fenced) == 1)
            {
                consumer.Fence();
                return;
            }

            Log.ProcessingStarted(_host._logger, Partition, Epoch);
            foreach (var listener in _host._listeners)
            {
                try
                {
                    await listener.OnPartitionStartedAsync(Partition, Epoch, _host._stopping.Token).ConfigureAwait(false);
                }
#pragma warning disable CA1031 // a listener's failure is logged; the partition keeps being processed
                catch (Exception e)
#pragma warning restore CA1031
                {
                    Log.ListenerFailed(_host._logger, Partition, e);
                }
            }
        }

        private async Task CleanUpAsync(LeaseLossReason reason)
        {
            try
            {
                await _starting.ConfigureAwait(false);
                if (Interlocked.Exchange(ref _consumer, null) is { } consumer)
                {
                    await consumer.DisposeAsync().ConfigureAwait(false);
                }

                // The grains of this partition go: whoever owns it next (maybe this silo again) starts from storage.
                var deactivated = await _host._catalog.DeactivateWhereAsync(InPartition, CancellationToken.None).ConfigureAwait(false);
                Log.PartitionCleanedUp(_host._logger, Partition, Epoch, deactivated, reason.ToString());
            }
#pragma warning disable CA1031 // logged; the partition is not this silo's any more either way
            catch (Exception e)
#pragma warning restore CA1031
            {
                Log.CleanUpFailed(_host._logger, Partition, e);
            }
            finally
            {
                _finished.TrySetResult();
            }
        }
    }

    private static partial class Log
    {
        [LoggerMessage(1230, LogLevel.Information, "Partition {Partition} at epoch {Epoch}: processing started")]
        public static partial void ProcessingStarted(ILogger logger, int partition, long epoch);

        [LoggerMessage(1231, LogLevel.Information, "Partition {Partition} at epoch {Epoch}: processing stopped ({Reason})")]
        public static partial void ProcessingStopped(ILogger logger, int partition, long epoch, string reason);

        [LoggerMessage(1232, LogLevel.Debug, "Partition {Partition} at epoch {Epoch}: consumer closed, {Count} activations deactivated ({Reason})")]
        public static partial void PartitionCleanedUp(ILogger logger, int partition, long epoch, int count, string reason);

        [LoggerMessage(1233, LogLevel.Error, "Cleaning up partition {Partition} after losing it failed")]
        public static partial void CleanUpFailed(ILogger logger, int partition, Exception exception);

        [LoggerMessage(1234, LogLevel.Error, "A partition listener failed for partition {Partition}")]
        public static partial void ListenerFailed(ILogger logger, int partition, Exception exception);

        [LoggerMessage(1235, LogLevel.Critical, "Silo {MemberId} was declared dead by the cluster ({Reason}); stopping the process")]
        public static partial void DeclaredDead(ILogger logger, string memberId, string reason);

        [LoggerMessage(1236, LogLevel.Information, "Cluster silo {MemberId} started: {PartitionCount} partitions, owning its share as leases allow")]
        public static partial void SiloStarted(ILogger logger, string memberId, int partitionCount);
    }
}
