using AccountGrains.Client.Cluster.Internal;
using Microsoft.Extensions.Logging;

namespace AccountGrains.Client.Cluster;

/// <summary>
/// One subscription of <see cref="AccountGrainsClusterClient"/> to an account's or a program's changes. Dispose it to
/// end it.
/// <para>
/// Ordering: per account, the handler never gets a state whose <c>(slot, write_version)</c> is not newer than one it
/// was given before; duplicates (at-least-once delivery, re-reads) and stale states are dropped here and counted in
/// <see cref="Dropped"/>. An account subscription delivers the account's current state first (when the cluster knows
/// it), then every newer state. For a program subscription the newest token is remembered per account, so its memory
/// grows with the number of the program's accounts that changed.
/// </para>
/// <para>
/// The handler runs on a loop of this subscription, one call at a time and never concurrently with itself, so it may
/// take its time without holding up other subscriptions or the broker. When more than
/// <see cref="ClusterClientOptions.MaxQueuedChanges"/> states wait for it, the waiting states collapse to the newest
/// per account (<see cref="Skipped"/>): a slow handler skips intermediate states but always ends at the latest. A
/// handler that throws is logged and gets the next state.
/// </para>
/// </summary>
public sealed class StreamSubscription : IAsyncDisposable
{
    private readonly Func<AccountState, ValueTask> _handler;
    private readonly int _maxQueued;
    private readonly ILogger _logger;
    private readonly BrokerBinding _binding;
    private readonly Action<StreamSubscription>? _onDisposed;
    private readonly Lock _gate = new();
    private readonly Dictionary<string, StreamToken> _newest = new(StringComparer.Ordinal);
    private readonly Task _loop;
    private Queue<AccountState> _queue = new();
    private List<AccountState>? _held;
    private int _collapseAt;
    private TaskCompletionSource? _signal;
    private bool _disposed;
    private long _delivered;
    private long _dropped;
    private long _skipped;

    internal StreamSubscription(
        StreamId stream, Func<AccountState, ValueTask> handler, bool startsWithSnapshot, int maxQueued, ILogger logger, Action<StreamSubscription>? onDisposed = null)
    {
        ArgumentNullException.ThrowIfNull(handler);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxQueued, 1);
        Stream = stream;
        _handler = handler;
        _maxQueued = maxQueued;
        _collapseAt = maxQueued;
        _logger = logger;
        _binding = new BrokerBinding(Stream, logger);
        _onDisposed = onDisposed;
        _held = startsWithSnapshot ? [] : null;
        _loop = Task.Run(DeliverAsync);
    }

    /// <summary><c>account.&lt;pubkey&gt;</c> or <c>program.&lt;owner&gt;</c>.</summary>
    public StreamId Stream { get; }

    /// <summary>States handed to the handler so far.</summary>
    public long Delivered => Interlocked.Read(ref _delivered);

    /// <summary>States not delivered because one as new or newer for the same account was delivered or queued before.</summary>
    public long Dropped => Interlocked.Read(ref _dropped);

    /// <summary>Intermediate states skipped because the handler fell more than MaxQueuedChanges states behind.</summary>
    public long Skipped => Interlocked.Read(ref _skipped);

    internal bool IsAccount => Stream.Namespace == StreamId.Accounts;

    /// <summary>The stream provider's handler: never blocks, never throws.</summary>
    internal ValueTask OnChangedAsync(AccountChanged change)
    {
        Offer(change.State);
        return ValueTask.CompletedTask;
    }

    /// <summary>A state from the stream or a re-read: queued when newer than what this subscription has, else dropped.</summary>
    internal void Offer(AccountState state)
    {
        lock (_gate)
        {
            if (_disposed)
            {
                return;
            }

            if (_held is { } held)
            {
                // Before the snapshot: kept until it is in, so the snapshot goes first.
                held.Add(state);
                return;
            }

            QueueIfNewer(state);
        }
    }

    /// <summary>
    /// The snapshot is read: it goes first (when the account is known), then what arrived meanwhile, newer ones only.
    /// </summary>
    internal void Start(AccountState? snapshot)
    {
        lock (_gate)
        {
            if (_held is not { } held)
            {
                return;
            }

            _held = null;
            if (snapshot is not null)
            {
                QueueIfNewer(snapshot);
            }

            foreach (var state in held.OrderBy(s => s.Token))
            {
                QueueIfNewer(state);
            }
        }
    }

    /// <summary>The broker side of the subscription, disposed with it (at once when this was disposed meanwhile).</summary>
    internal ValueTask AttachAsync(IAsyncDisposable upstream) => _binding.AttachAsync(upstream);

    /// <summary>
    /// Ends the subscription: the broker binding goes, states still waiting are dropped, and a handler call in progress
    /// is waited for (unless this is called from inside a handler).
    /// </summary>
    public async ValueTask DisposeAsync()
    {
        lock (_gate)
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
            _held = null;
            _queue.Clear();
            Signal();
        }

        await DeliveryFlow.EndAsync(this, _onDisposed, _binding, _loop).ConfigureAwait(false);
    }

    public override string ToString() => Stream.ToString();

    // Under _gate.
    private void QueueIfNewer(AccountState state)
    {
        if (_newest.TryGetValue(state.Pubkey, out var newest) && state.Token <= newest)
        {
            Interlocked.Increment(ref _dropped);
            return;
        }

        _newest[state.Pubkey] = state.Token;
        _queue.Enqueue(state);
        if (_queue.Count > _collapseAt)
        {
            Collapse();
        }

        Signal();
    }

    // Under _gate. Tokens of one account grow along the queue, so its last entry is its newest.
    private void Collapse()
    {
        var before = _queue.Count;
        var last = new Dictionary<string, AccountState>(StringComparer.Ordinal);
        foreach (var state in _queue)
        {
            last[state.Pubkey] = state;
        }

        var kept = new Queue<AccountState>(last.Count);
        foreach (var state in _queue)
        {
            if (ReferenceEquals(last[state.Pubkey], state))
            {
                kept.Enqueue(state);
            }
        }

        _queue = kept;
        var skipped = Interlocked.Add(ref _skipped, before - kept.Count);

        // Many distinct accounts waiting (a program stream): collapse again only once the queue has doubled.
        _collapseAt = Math.Max(_maxQueued, kept.Count * 2);
        ClusterClientLog.Collapsed(_logger, Stream.ToString(), before, skipped);
    }

    // Under _gate.
    private void Signal()
    {
        _signal?.TrySetResult();
        _signal = null;
    }

    private async Task DeliverAsync()
    {
        DeliveryFlow.Enter(this);
        while (true)
        {
            AccountState? next;
            Task? wait = null;
            lock (_gate)
            {
                if (_disposed)
                {
                    return;
                }

                if (!_queue.TryDequeue(out next))
                {
                    _collapseAt = _maxQueued;
                    _signal = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                    wait = _signal.Task;
                }
            }

            if (wait is not null)
            {
                await wait.ConfigureAwait(false);
                continue;
            }

            Interlocked.Increment(ref _delivered);
            try
            {
                await _handler(next!).ConfigureAwait(false);
            }
#pragma warning disable CA1031 // the handler is the caller's code: its failure is logged and the next state still comes
            catch (Exception e)
#pragma warning restore CA1031
            {
                ClusterClientLog.HandlerFailed(_logger, Stream.ToString(), next!.Pubkey, next.Token.ToString(), e);
            }
        }
    }
}
