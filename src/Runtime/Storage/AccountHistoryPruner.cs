using AccountGrains.Runtime.Configuration;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace AccountGrains.Runtime.Storage;

/// <summary>
/// Enforces <see cref="StorageOptions.HistoryRetention"/>: every tenth of the retention (at least a minute, at most an
/// hour) it deletes the history entries older than the retention. Does nothing when history is off or the store
/// keeps none. Several silos pruning one database at once is harmless (the deletes overlap).
/// </summary>
public sealed class AccountHistoryPruner(
    IAccountStore store, IOptions<StorageOptions> options, TimeProvider time, ILogger<AccountHistoryPruner> logger) : BackgroundService
{
    /// <summary>How often pruning runs for <paramref name="retention"/>.</summary>
    public static TimeSpan IntervalFor(TimeSpan retention) =>
        TimeSpan.FromTicks(Math.Clamp(retention.Ticks / 10, TimeSpan.TicksPerMinute, TimeSpan.TicksPerHour));

    /// <summary>Prunes once; returns how many entries went.</summary>
    public async Task<int> PruneOnceAsync(CancellationToken cancellationToken)
    {
        var retention = options.Value.HistoryRetention;
        if (retention <= TimeSpan.Zero || store is not IAccountHistoryStore history)
        {
            return 0;
        }

        var cutoff = time.GetUtcNow() - retention;
        var pruned = await history.PruneHistoryAsync(cutoff, cancellationToken).ConfigureAwait(false);
        RuntimeLog.HistoryPruned(logger, pruned, cutoff);
        return pruned;
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var retention = options.Value.HistoryRetention;
        if (retention <= TimeSpan.Zero || store is not IAccountHistoryStore)
        {
            return;
        }

        using var timer = new PeriodicTimer(IntervalFor(retention), time);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false))
            {
                try
                {
                    await PruneOnceAsync(stoppingToken).ConfigureAwait(false);
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    // The next tick tries again; history only grows meanwhile.
                    RuntimeLog.HistoryPruneFailed(logger, e);
                }
            }
        }
        catch (OperationCanceledException)
        {
            // Stopping.
        }
    }
}
