using AccountGrains.Gateway.Diagnostics;

namespace AccountGrains.Gateway.Wallets;

/// <summary>
/// Whether the ingest's upstream is up (<see cref="WalletUpstream.IsUp"/>), for the status of wallets. Replies read it
/// fresh; realtime pushes use the last reading and refresh it in the background when it is older than a second, so
/// the event path never waits for a grain call.
/// </summary>
internal sealed class UpstreamStatus(IGrainFactory grains, ILogger<UpstreamStatus> logger)
{
    private const long FreshForMilliseconds = 1000;
    private Reading? _last;
    private int _refreshing;

    /// <summary>Asks the ingest now.</summary>
    public async Task<bool> ReadAsync(CancellationToken cancellationToken = default)
    {
        var status = await grains.Get<IGeyserIngestGrain>(IGeyserIngestGrain.DefaultKey).GetStatusAsync().WaitAsync(cancellationToken).ConfigureAwait(false);
        var up = WalletUpstream.IsUp(status);
        Volatile.Write(ref _last, new Reading(up, Environment.TickCount64));
        return up;
    }

    /// <summary>The last reading (down before the first); starts a refresh when it is stale. Never blocks.</summary>
    public bool Current
    {
        get
        {
            var last = Volatile.Read(ref _last);
            if ((last is null || Environment.TickCount64 - last.At > FreshForMilliseconds) && Interlocked.Exchange(ref _refreshing, 1) == 0)
            {
                _ = RefreshAsync();
            }

            return last?.Up ?? false;
        }
    }

    private async Task RefreshAsync()
    {
        try
        {
            await ReadAsync().ConfigureAwait(false);
        }
        catch (Exception e)
        {
            // In the background: logged, never unobserved; the next push tries again.
            GatewayLog.UpstreamStatusFailed(logger, e);
        }
        finally
        {
            Volatile.Write(ref _refreshing, 0);
        }
    }

    private sealed record Reading(bool Up, long At);
}
