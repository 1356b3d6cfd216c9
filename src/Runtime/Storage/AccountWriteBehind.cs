using System.Diagnostics;
using AccountGrains.Runtime.Configuration;
using AccountGrains.Runtime.Diagnostics;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace AccountGrains.Runtime.Storage;

/// <summary>
/// Batches account state writes so the hot path never waits for a round trip. States wait in a map keyed by
/// pubkey (a newer state replaces an older one, so what waits is bounded by the number of distinct accounts), and
/// a loop writes them every <see cref="StorageOptions.FlushInterval"/> or as soon as a batch is full. A failed
/// batch is retried with backoff, never dropped. <see cref="Enqueue"/> returns a task that completes when the
/// state, or a newer one of the same account, is stored: the cluster transport acknowledges on it.
/// </summary>
public sealed class AccountWriteBehind : IAsyncDisposable
{
    /// <summary>Attempts a batch gets once the write-behind is stopping, before it is given up.</summary>
    internal const int ShutdownAttempts = 10;

    private readonly IAccountStore _store;
    private readonly StorageOptions _options;
    private readonly RuntimeMetrics _metrics;
    private readonly ILogger<AccountWriteBehind> _logger;
    private readonly Lock _gate = new();
    private readonly SemaphoreSlim _wake = new(0, 1);
    private readonly CancellationTokenSource _stop = new();
    private Dictionary<string, AccountState> _pending = new(StringComparer.Ordinal);
    private TaskCompletionSource _pendingStored = NewCompletion();
    private TaskCompletionSource? _writing;
    private int _abandonedBatches;
    private Task? _loop;
    private bool _stopped;

    public AccountWriteBehind(IAccountStore store, IOptions<StorageOptions> options, RuntimeMetrics metrics, ILogger<AccountWriteBehind> logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        _store = store;
        _options = options.Value;
        _metrics = metrics;
        _logger = logger;
        metrics.ObserveWriteBehind(() => PendingCount);
    }

    public int PendingCount
    {
        get
        {
            lock (_gate)
            {
                return _pending.Count;
            }
        }
    }

    public void Start() => _loop ??= Task.Run(RunAsync);

    /// <summary>Queues a state; the task completes when it (or a newer state of the account) is stored.</summary>
    public Task Enqueue(AccountState state)
    {
        ArgumentNullException.ThrowIfNull(state);
        Task stored;
        bool full;
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_stopped, this);
            if (!_pending.TryGetValue(state.Pubkey, out var waiting) || state.Token > waiting.Token)
            {
                _pending[state.Pubkey] = state;
            }

            stored = _pendingStored.Task;
            full = _pending.Count >= _options.MaxBatchSize;
        }

        if (full)
        {
            Wake();
        }

        return stored;
    }

    /// <summary>Writes everything queued so far and waits for it.</summary>
    public Task FlushAsync()
    {
        Task stored;
        lock (_gate)
        {
            if (_pending.Count == 0)
            {
                return Task.CompletedTask;
            }

            stored = _pendingStored.Task;
        }

        Wake();
        return stored;
    }

    /// <summary>
    /// Completes when every state queued before the call is stored (or superseded by a stored newer one), without
    /// hurrying the loop; faults with <see cref="WriteBehindAbandonedException"/> when the write-behind gave up on a
    /// batch in the meantime (stopping while storage kept failing). The cluster transport acknowledges a message
    /// after its turn and this barrier, so an update is acknowledged only once its effect is in storage.
    /// </summary>
    public Task WhenStoredAsync()
    {
        Task stored;
        int abandoned;
        lock (_gate)
        {
            // Batches are written one after the other, so waiting for the queued batch covers the one being written.
            var waitFor = _pending.Count > 0 ? _pendingStored : _writing;
            if (waitFor is null)
            {
                return Task.CompletedTask;
            }

            stored = waitFor.Task;
            abandoned = _abandonedBatches;
        }

        return stored.IsCompleted && Volatile.Read(ref _abandonedBatches) == abandoned ? Task.CompletedTask : WaitAsync(stored, abandoned);
    }

    private async Task WaitAsync(Task stored, int abandonedBefore)
    {
        await stored.ConfigureAwait(false);
        if (Volatile.Read(ref _abandonedBatches) != abandonedBefore)
        {
            throw new WriteBehindAbandonedException("the write-behind gave up on a batch while stopping (storage kept failing); its states are not stored");
        }
    }

    /// <summary>Stops the loop after writing everything queued.</summary>
    public async ValueTask DisposeAsync()
    {
        int remaining;
        lock (_gate)
        {
            if (_stopped)
            {
                return;
            }

            _stopped = true;
            remaining = _pending.Count;
        }

        await _stop.CancelAsync().ConfigureAwait(false);
        if (_loop is not null)
        {
            await _loop.ConfigureAwait(false);
        }

        // Whatever the loop did not take (it was never started, or stopped between batches) is written here, with
        // the bounded retries of a stopping write-behind.
        await WriteAllPendingAsync(_stop.Token).ConfigureAwait(false);
        RuntimeLog.WriteBehindStopped(_logger, remaining);
        _stop.Dispose();
        _wake.Dispose();
    }

    private async Task RunAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            try
            {
                await _wake.WaitAsync(_options.FlushInterval, _stop.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }

            await WriteAllPendingAsync(_stop.Token).ConfigureAwait(false);
        }
    }

    private async Task WriteAllPendingAsync(CancellationToken cancellationToken)
    {
        Dictionary<string, AccountState> batch;
        TaskCompletionSource stored;
        lock (_gate)
        {
            if (_pending.Count == 0)
            {
                return;
            }

            batch = _pending;
            stored = _pendingStored;
            _writing = stored;
            _pending = new Dictionary<string, AccountState>(StringComparer.Ordinal);
            _pendingStored = NewCompletion();
        }

        var states = batch.Values.ToArray();
        for (var start = 0; start < states.Length; start += _options.MaxBatchSize)
        {
            var chunk = new ArraySegment<AccountState>(states, start, Math.Min(_options.MaxBatchSize, states.Length - start));
            await WriteWithRetryAsync(chunk, cancellationToken).ConfigureAwait(false);
        }

        lock (_gate)
        {
            if (ReferenceEquals(_writing, stored))
            {
                _writing = null;
            }
        }

        stored.TrySetResult();
    }

    private async Task WriteWithRetryAsync(ArraySegment<AccountState> chunk, CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            if (cancellationToken.IsCancellationRequested && attempt > ShutdownAttempts)
            {
                // Stopping with storage still failing: give up rather than hang shutdown. In a cluster the transport
                // has not acknowledged these updates and redelivers them; embedded, they are lost and said to be.
                RuntimeLog.WriteBehindGaveUp(_logger, chunk.Count, ShutdownAttempts);
                _metrics.StatesAbandoned(chunk.Count);
                Interlocked.Increment(ref _abandonedBatches);
                return;
            }

            var started = Stopwatch.GetTimestamp();
            try
            {
                // Once stopping, the last writes must still happen: they are not cancelled.
                await _store.WriteAsync(chunk, CancellationToken.None).ConfigureAwait(false);
                _metrics.BatchWritten(chunk.Count, Stopwatch.GetElapsedTime(started));
                return;
            }
            catch (Exception e)
            {
                _metrics.BatchFailed();
                var delay = TimeSpan.FromMilliseconds(Math.Min(5000, 50 * Math.Pow(2, Math.Min(attempt, 10))));
                RuntimeLog.WriteBehindRetry(_logger, chunk.Count, attempt, (long)delay.TotalMilliseconds, e);
                try
                {
                    await Task.Delay(delay, cancellationToken).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    // Stopping: retry quickly, up to ShutdownAttempts.
                    await Task.Delay(TimeSpan.FromMilliseconds(100), CancellationToken.None).ConfigureAwait(false);
                }
            }
        }
    }

    private void Wake()
    {
        try
        {
            _wake.Release();
        }
        catch (SemaphoreFullException)
        {
            // Already awake.
        }
        catch (ObjectDisposedException)
        {
            // Stopped.
        }
    }

    private static TaskCompletionSource NewCompletion() => new(TaskCreationOptions.RunContinuationsAsynchronously);
}

/// <summary>States were given up on: the write-behind stopped while storage kept failing.</summary>
public sealed class WriteBehindAbandonedException(string message) : Exception(message);
