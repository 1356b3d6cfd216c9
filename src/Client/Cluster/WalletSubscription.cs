using System.Threading.Channels;
using AccountGrains.Client.Cluster.Internal;
using Microsoft.Extensions.Logging;

namespace AccountGrains.Client.Cluster;

/// <summary>
/// One subscription of <see cref="AccountGrainsClusterClient"/> to a wallet's events (<c>wallet.&lt;address&gt;</c>):
/// new activity (<see cref="WalletChanged.Activity"/> set) and balance or tracking changes. Dispose it to end it.
/// <para>
/// The handler gets the wallet's current state first (an event with the <see cref="WalletChanged.Sequence"/> 0 and no
/// activity), then every event in order; an event whose sequence is not above the last one delivered (a redelivery)
/// is dropped and counted in <see cref="Dropped"/>. Activity is never merged or skipped, however slow the handler.
/// After a broker reconnect the state is read again and delivered the same way (sequence of the last event, no
/// activity): activity published while the connection was down is read with
/// <see cref="AccountGrainsClusterClient.GetWalletActivityAsync"/>. The handler runs on the subscription's own loop,
/// one call at a time; one that throws is logged and gets the next event.
/// </para>
/// </summary>
public sealed class WalletSubscription : IAsyncDisposable
{
    private readonly Func<WalletChanged, ValueTask> _handler;
    private readonly ILogger _logger;
    private readonly BrokerBinding _binding;
    private readonly Action<WalletSubscription>? _onDisposed;
    private readonly Channel<WalletChanged> _events = Channel.CreateUnbounded<WalletChanged>(new UnboundedChannelOptions { SingleReader = true });
    private readonly Lock _gate = new();
    private readonly Task _loop;
    private List<WalletChanged>? _held = [];
    private long _lastSequence;
    private bool _disposed;
    private long _delivered;
    private long _dropped;

    internal WalletSubscription(string address, Func<WalletChanged, ValueTask> handler, ILogger logger, Action<WalletSubscription>? onDisposed = null)
    {
        ArgumentNullException.ThrowIfNull(handler);
        Address = address;
        Stream = StreamId.ForWallet(address);
        _handler = handler;
        _logger = logger;
        _binding = new BrokerBinding(Stream, logger);
        _onDisposed = onDisposed;
        _loop = Task.Run(DeliverAsync);
    }

    /// <summary>The wallet (base58).</summary>
    public string Address { get; }

    /// <summary><c>wallet.&lt;address&gt;</c>.</summary>
    public StreamId Stream { get; }

    /// <summary>Events handed to the handler so far.</summary>
    public long Delivered => Interlocked.Read(ref _delivered);

    /// <summary>Events not delivered because one with the same or a higher sequence was delivered or queued before.</summary>
    public long Dropped => Interlocked.Read(ref _dropped);

    /// <summary>The stream provider's handler: never blocks, never throws.</summary>
    internal ValueTask OnChangedAsync(WalletChanged change)
    {
        lock (_gate)
        {
            if (_held is { } held)
            {
                // Before the current state is in: kept, so the state goes first.
                held.Add(change);
            }
            else
            {
                QueueIfNewer(change);
            }
        }

        return ValueTask.CompletedTask;
    }

    /// <summary>The current state is read: it goes first, then what arrived meanwhile.</summary>
    internal void Start(WalletState current)
    {
        lock (_gate)
        {
            if (_held is not { } held)
            {
                return;
            }

            _held = null;
            _events.Writer.TryWrite(new WalletChanged(Address, 0, current, null));
            foreach (var change in held)
            {
                QueueIfNewer(change);
            }
        }
    }

    /// <summary>A state read again after a broker reconnect: delivered with the last sequence, never dropped.</summary>
    internal void Reread(WalletState current)
    {
        lock (_gate)
        {
            if (_held is null && !_disposed)
            {
                _events.Writer.TryWrite(new WalletChanged(Address, _lastSequence, current, null));
            }
        }
    }

    internal ValueTask AttachAsync(IAsyncDisposable upstream) => _binding.AttachAsync(upstream);

    /// <summary>Ends the subscription: the broker binding goes, waiting events are dropped, a handler call in progress is waited for.</summary>
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
            _events.Writer.TryComplete();
        }

        await DeliveryFlow.EndAsync(this, _onDisposed, _binding, _loop).ConfigureAwait(false);
    }

    public override string ToString() => Stream.ToString();

    // Under _gate.
    private void QueueIfNewer(WalletChanged change)
    {
        if (_disposed)
        {
            return;
        }

        if (change.Sequence <= _lastSequence)
        {
            Interlocked.Increment(ref _dropped);
            return;
        }

        _lastSequence = change.Sequence;
        _events.Writer.TryWrite(change);
    }

    private async Task DeliverAsync()
    {
        DeliveryFlow.Enter(this);
        while (await _events.Reader.WaitToReadAsync().ConfigureAwait(false))
        {
            while (_events.Reader.TryRead(out var change))
            {
                if (Volatile.Read(ref _disposed))
                {
                    return;
                }

                Interlocked.Increment(ref _delivered);
                try
                {
                    await _handler(change).ConfigureAwait(false);
                }
#pragma warning disable CA1031 // the handler is the caller's code: its failure is logged and the next event still comes
                catch (Exception e)
#pragma warning restore CA1031
                {
                    ClusterClientLog.WalletHandlerFailed(_logger, Stream.ToString(), change.Sequence, e);
                }
            }
        }
    }
}
