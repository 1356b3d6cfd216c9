using System.Threading.Channels;
using AccountGrains.Runtime.Messaging;
using Microsoft.Extensions.Logging;

namespace AccountGrains.Runtime.Catalog;

/// <summary>
/// One live instance of a grain with its mailbox. Messages run one at a time in arrival order (a turn each), so
/// grain code needs no locks; different activations run in parallel on the thread pool.
/// <para>
/// The mailbox is bounded: a sender to a full mailbox waits. Deactivation is decided under <see cref="_gate"/>
/// against <see cref="_pending"/> (messages accepted and not yet finished), so a message is either accepted before
/// deactivation starts, and runs, or refused, and the sender re-resolves the grain after this activation is gone.
/// </para>
/// </summary>
internal sealed class GrainActivation
{
    private readonly Lock _gate = new();
    private readonly Channel<GrainMessage> _mailbox;
    private readonly TaskCompletionSource _finished = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly ILogger _logger;
    private int _pending;
    private bool _closing;
    private DeactivationReason _reason = DeactivationReason.Idle;
    private Exception? _activationFailure;
    private long _lastTurnTicks;

    public GrainActivation(GrainId id, Grain grain, int mailboxCapacity, ILogger logger)
    {
        Id = id;
        Grain = grain;
        _logger = logger;
        _mailbox = Channel.CreateBounded<GrainMessage>(new BoundedChannelOptions(mailboxCapacity)
        {
            SingleReader = true,
            FullMode = BoundedChannelFullMode.Wait,
        });
        _lastTurnTicks = Environment.TickCount64;
    }

    public GrainId Id { get; }

    public Grain Grain { get; }

    /// <summary>Completes when the activation has deactivated (or failed to activate) and left the catalog.</summary>
    public Task Finished => _finished.Task;

    public long LastTurnTicks => Volatile.Read(ref _lastTurnTicks);

    /// <summary>Runs the activation's turns until it is closed. Started once by the catalog.</summary>
    public async Task RunAsync(Action<GrainActivation> onFinished, CancellationToken shutdown)
    {
        try
        {
            try
            {
                await Grain.OnActivateAsync(shutdown).ConfigureAwait(false);
            }
            catch (Exception e)
            {
                RuntimeLog.ActivationFailed(_logger, Id, e);
                _activationFailure = e;
                _reason = DeactivationReason.ActivationFailed;
                Close();

                // Leave the catalog first, so a caller that retries on the failure activates the grain anew.
                onFinished(this);
                FailWaitingMessages(e);
                return;
            }

            var reader = _mailbox.Reader;
            while (await reader.WaitToReadAsync(CancellationToken.None).ConfigureAwait(false))
            {
                while (reader.TryRead(out var message))
                {
                    await RunTurnAsync(message).ConfigureAwait(false);
                }
            }

            try
            {
                await Grain.OnDeactivateAsync(_reason, shutdown).ConfigureAwait(false);
            }
            catch (Exception e)
            {
                RuntimeLog.DeactivationFailed(_logger, Id, e);
            }
        }
        finally
        {
            onFinished(this);
            _finished.TrySetResult();
        }
    }

    /// <summary>
    /// Offers a message. <see cref="EnqueueResult.Closed"/> means this activation is going away: wait for
    /// <see cref="Finished"/> and resolve the grain again.
    /// </summary>
    public async ValueTask<EnqueueResult> EnqueueAsync(GrainMessage message, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            if (_closing)
            {
                return _activationFailure is null ? EnqueueResult.Closed : EnqueueResult.Failed;
            }

            _pending++;
        }

        try
        {
            if (!_mailbox.Writer.TryWrite(message))
            {
                await _mailbox.Writer.WriteAsync(message, cancellationToken).ConfigureAwait(false);
            }

            return EnqueueResult.Accepted;
        }
        catch (ChannelClosedException)
        {
            // The writer closes under a waiting sender only on activation failure or shutdown.
            lock (_gate)
            {
                _pending--;
            }

            return _activationFailure is null ? EnqueueResult.Closed : EnqueueResult.Failed;
        }
        catch
        {
            lock (_gate)
            {
                _pending--;
            }

            throw;
        }
    }

    public Exception? ActivationFailure => _activationFailure;

    /// <summary>
    /// Starts deactivation if no message is pending and the grain allows it. Returns false when the activation is
    /// busy, already closing, or kept alive.
    /// </summary>
    public bool TryDeactivate(DeactivationReason reason)
    {
        lock (_gate)
        {
            if (_closing || _pending > 0 || (reason == DeactivationReason.Idle && Grain.KeepAlive))
            {
                return false;
            }

            _closing = true;
            _reason = reason;
        }

        _mailbox.Writer.TryComplete();
        return true;
    }

    /// <summary>Shutdown: stop accepting, let what was accepted run, then deactivate.</summary>
    public void BeginShutdown(DeactivationReason reason = DeactivationReason.Shutdown)
    {
        lock (_gate)
        {
            if (_closing)
            {
                return;
            }

            _closing = true;
            _reason = reason;
        }

        _mailbox.Writer.TryComplete();
    }

    private async Task RunTurnAsync(GrainMessage message)
    {
        try
        {
            await message.Method.InvokeAsync(Grain, message.Arguments, message.Response).ConfigureAwait(false);
            message.MarkProcessed();
        }
        catch (Exception e)
        {
            // Only one-way calls get here: a call with a response reports its exception to the caller.
            RuntimeLog.OneWayCallFailed(_logger, message.Target, message.Method.Name, e);
            message.MarkFailed(e);
        }
        finally
        {
            Volatile.Write(ref _lastTurnTicks, Environment.TickCount64);
            lock (_gate)
            {
                _pending--;
            }
        }
    }

    private void Close()
    {
        lock (_gate)
        {
            _closing = true;
        }

        // Completed without the failure: a sender waiting on a full mailbox then gets ChannelClosedException (an
        // OperationCanceledException passed here would reach it as is) and reads the failure from the field.
        _mailbox.Writer.TryComplete();
    }

    private void FailWaitingMessages(Exception failure)
    {
        var error = new GrainActivationException(Id, failure);
        while (_mailbox.Reader.TryRead(out var message))
        {
            message.Response?.SetException(error);
            message.MarkFailed(error);
            lock (_gate)
            {
                _pending--;
            }
        }
    }
}

internal enum EnqueueResult
{
    Accepted,
    Closed,
    Failed,
}

/// <summary>A grain could not be activated (its state could not be loaded, say); the call did not run.</summary>
public sealed class GrainActivationException(GrainId id, Exception inner)
    : Exception($"grain {id} could not be activated: {inner.Message}", inner)
{
    public GrainId GrainId { get; } = id;
}
