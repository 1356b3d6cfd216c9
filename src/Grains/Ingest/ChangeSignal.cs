namespace AccountGrains.Grains.Ingest;

/// <summary>
/// A version that grows on every change, and a wait for the next one: how a shared set (the interest set, the
/// wallets' token accounts) wakes those who rebuild from it.
/// </summary>
public sealed class ChangeSignal
{
    private readonly Lock _gate = new();
    private TaskCompletionSource _changed = NewSignal();
    private long _version;

    public long Version => Interlocked.Read(ref _version);

    /// <summary>Bumps the version and wakes the waiters.</summary>
    public void Signal()
    {
        TaskCompletionSource changed;
        lock (_gate)
        {
            Interlocked.Increment(ref _version);
            changed = _changed;
            _changed = NewSignal();
        }

        changed.TrySetResult();
    }

    /// <summary>Completes once the version has moved past <paramref name="seenVersion"/> (at once if it already has).</summary>
    public Task WaitForChangeAsync(long seenVersion, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            return _version != seenVersion ? Task.CompletedTask : _changed.Task.WaitAsync(cancellationToken);
        }
    }

    private static TaskCompletionSource NewSignal() => new(TaskCreationOptions.RunContinuationsAsynchronously);
}
