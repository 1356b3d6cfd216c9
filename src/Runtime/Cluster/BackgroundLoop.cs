namespace AccountGrains.Runtime.Cluster;

/// <summary>
/// A service's one background loop (heartbeats, lease renewal): started once, stopped by cancelling its token and
/// waiting for it to end. Stopping twice, or before it started, is harmless.
/// </summary>
internal sealed class BackgroundLoop : IDisposable
{
    private readonly CancellationTokenSource _stopping = new();
    private Task? _loop;

    public bool IsStarted => _loop is not null;

    public void Start(Func<CancellationToken, Task> body) =>
        _loop = Task.Run(() => body(_stopping.Token), CancellationToken.None);

    public async Task StopAsync()
    {
        if (!_stopping.IsCancellationRequested)
        {
            await _stopping.CancelAsync().ConfigureAwait(false);
        }

        if (_loop is not null)
        {
            await _loop.ConfigureAwait(false);
        }
    }

    public void Dispose() => _stopping.Dispose();
}
