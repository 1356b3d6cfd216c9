using Microsoft.Extensions.Logging;

namespace AccountGrains.Client.Cluster.Internal;

/// <summary>
/// The broker side of one subscription of the client: attached once the stream is bound, ended with the subscription
/// (at once when the subscription ended first). Ending never throws: the binding goes with the connection anyway.
/// </summary>
internal sealed class BrokerBinding(StreamId stream, ILogger logger)
{
    private readonly Lock _gate = new();
    private IAsyncDisposable? _upstream;
    private bool _ended;

    public async ValueTask AttachAsync(IAsyncDisposable upstream)
    {
        lock (_gate)
        {
            if (!_ended)
            {
                _upstream = upstream;
                return;
            }
        }

        await upstream.DisposeAsync().ConfigureAwait(false);
    }

    public async ValueTask EndAsync()
    {
        IAsyncDisposable? upstream;
        lock (_gate)
        {
            _ended = true;
            upstream = _upstream;
            _upstream = null;
        }

        if (upstream is null)
        {
            return;
        }

        try
        {
            await upstream.DisposeAsync().ConfigureAwait(false);
        }
#pragma warning disable CA1031 // ending a subscription never throws
        catch (Exception e)
#pragma warning restore CA1031
        {
            ClusterClientLog.UnsubscribeFailed(logger, stream.ToString(), e);
        }
    }
}
