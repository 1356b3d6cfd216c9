using AccountGrains.Runtime.Hosting.Cluster;
using AccountGrains.Runtime.Partitioning;
using Microsoft.Extensions.Logging;

namespace AccountGrains.Grains.Hosting;

/// <summary>
/// Cluster mode: the silo that starts processing the ingest grain's partition starts the ingest. The lease on that
/// partition makes this silo the one leader; when it is lost the partition's activations are deactivated, which stops
/// the ingest, and the next owner starts it again from the stored interest set and checkpoint.
/// </summary>
internal sealed partial class IngestLeader(IGrainFactory grains, int partitionCount, ILogger<IngestLeader> logger) : IPartitionListener
{
    private readonly int _ingestPartition = PartitionHash.PartitionOf(IGeyserIngestGrain.DefaultKey, partitionCount);

    public Task OnPartitionStartedAsync(int partition, long epoch, CancellationToken cancellationToken)
    {
        if (partition == _ingestPartition)
        {
            _ = StartIngestAsync(epoch, cancellationToken);
        }

        return Task.CompletedTask;
    }

    // The start travels through the partition's queue like any call; retried while this silo is up, since a leader
    // that never starts would leave the cluster without a feed.
    private async Task StartIngestAsync(long epoch, CancellationToken cancellationToken)
    {
        var delay = TimeSpan.FromMilliseconds(200);
        for (var attempt = 1; !cancellationToken.IsCancellationRequested; attempt++)
        {
            try
            {
                await grains.Get<IGeyserIngestGrain>(IGeyserIngestGrain.DefaultKey).StartAsync().WaitAsync(cancellationToken).ConfigureAwait(false);
                Log.Leading(logger, _ingestPartition, epoch);
                return;
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return;
            }
#pragma warning disable CA1031 // logged and retried
            catch (Exception e)
#pragma warning restore CA1031
            {
                Log.StartFailed(logger, attempt, (long)delay.TotalMilliseconds, e);
                await Task.Delay(delay, cancellationToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
                delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, TimeSpan.FromSeconds(10).Ticks));
            }
        }
    }

    private static partial class Log
    {
        [LoggerMessage(2020, LogLevel.Information, "This silo leads the ingest: it owns partition {Partition} at epoch {Epoch}")]
        public static partial void Leading(ILogger logger, int partition, long epoch);

        [LoggerMessage(2021, LogLevel.Warning, "Starting the ingest as its partition's new owner failed (attempt {Attempt}); retrying in {DelayMs} ms")]
        public static partial void StartFailed(ILogger logger, int attempt, long delayMs, Exception exception);
    }
}
