using System.Threading.Channels;
using AccountGrains.Runtime.Storage;
using Microsoft.Extensions.Logging;

namespace AccountGrains.Grains.Notifications;

/// <summary>
/// Stores dead letters one at a time, off the callers' paths: a full sink queue turns notifications into dead letters
/// inside <see cref="NotificationDispatcher.Enqueue"/>, which must not wait for a database. A store failure is
/// logged and counted; the loop goes on.
/// </summary>
internal sealed class DeadLetterWriter : IDisposable
{
    private readonly Channel<(NotificationDeadLetter Letter, string Sink)> _letters;
    private readonly IWalletStore _store;
    private readonly NotificationMetrics _metrics;
    private readonly ILogger _logger;
    private readonly TimeProvider _time;
    private readonly CancellationTokenSource _abort = new();
    private readonly Task _loop;

    public DeadLetterWriter(IWalletStore store, int capacity, NotificationMetrics metrics, ILogger logger, TimeProvider time)
    {
        _store = store;
        _metrics = metrics;
        _logger = logger;
        _time = time;
        _letters = Channel.CreateBounded<(NotificationDeadLetter, string)>(new BoundedChannelOptions(capacity) { SingleReader = true, FullMode = BoundedChannelFullMode.Wait });
        _loop = Task.Run(RunAsync, CancellationToken.None);
    }

    /// <summary>Gives up on <paramref name="notification"/>: counted now, stored soon. Never blocks.</summary>
    public void Post(SinkNotification notification, int attempts, string lastError, string reason)
    {
        _metrics.DeadLettered(notification.Sink.Kind, reason);
        var letter = new NotificationDeadLetter(notification.Sink.Id, notification.Wallet, notification.Signature, attempts, lastError, notification.Payload, _time.GetUtcNow());
        var sink = SinkQueue.Describe(notification.Sink);
        if (!_letters.Writer.TryWrite((letter, sink)))
        {
            _metrics.DeadLetterLost();
            NotificationLog.DeadLetterDropped(_logger, letter.Signature, letter.Wallet, sink);
        }
    }

    /// <summary>Stores what is posted already, for at most <paramref name="grace"/>, then gives up on the rest.</summary>
    public async Task CompleteAsync(TimeSpan grace, CancellationToken cancellationToken)
    {
        _letters.Writer.TryComplete();
        try
        {
            await _loop.WaitAsync(grace, _time, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is TimeoutException or OperationCanceledException)
        {
            await _abort.CancelAsync().ConfigureAwait(false);
            await _loop.ConfigureAwait(false);
        }
    }

    private async Task RunAsync()
    {
        // Not cancelled itself: after an abort every store call fails at once and what is left is counted as lost.
        await foreach (var (letter, sink) in _letters.Reader.ReadAllAsync(CancellationToken.None).ConfigureAwait(false))
        {
            try
            {
                await _store.AddDeadLetterAsync(letter, _abort.Token).ConfigureAwait(false);
            }
            catch (Exception e)
            {
                _metrics.DeadLetterLost();
                if (!_abort.IsCancellationRequested)
                {
                    NotificationLog.DeadLetterNotStored(_logger, letter.Signature, letter.Wallet, sink, e);
                }
            }
        }
    }

    public void Dispose()
    {
        _letters.Writer.TryComplete();
        // Not disposed: the loop may still read its token while it runs out.
        _abort.Cancel();
    }
}
