using Microsoft.Extensions.Hosting;

namespace AccountGrains.Client.Cluster.Internal;

/// <summary>
/// The application lifetime of a client connected with <c>ConnectAsync</c>, which has no host: the cluster's client
/// host calls <see cref="StopApplication"/> when the cluster declared this member dead, and the client stops serving
/// calls (it cannot stop the process it is a guest in).
/// </summary>
internal sealed class StandaloneLifetime : IHostApplicationLifetime, IDisposable
{
    private readonly CancellationTokenSource _started = new();
    private readonly CancellationTokenSource _stopping = new();
    private readonly CancellationTokenSource _stopped = new();

    public CancellationToken ApplicationStarted => _started.Token;

    public CancellationToken ApplicationStopping => _stopping.Token;

    public CancellationToken ApplicationStopped => _stopped.Token;

    public void StopApplication()
    {
        try
        {
            _stopping.Cancel();
        }
        catch (ObjectDisposedException)
        {
            // The client was disposed already.
        }
    }

    public void Dispose()
    {
        _started.Dispose();
        _stopping.Dispose();
        _stopped.Dispose();
    }
}
