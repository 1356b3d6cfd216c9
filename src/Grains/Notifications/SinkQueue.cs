using System.Threading.Channels;
using AccountGrains.Solana;
using Microsoft.Extensions.Logging;

namespace AccountGrains.Grains.Notifications;

/// <summary>
/// One sink's bounded queue and its delivery loop: notifications go out one at a time, in order, each retried until
/// delivered or given up on (a dead letter) before the next. A slow or dead sink holds up only its own queue; when
/// that is full, new notifications to it become dead letters at once.
/// </summary>
internal sealed class SinkQueue
{
    private readonly Channel<SinkNotification> _queue;
    private readonly string _kind;
    private readonly string _description;
    private readonly DeliveryAttempt _attempt;
    private readonly RetryBackoff _backoff;
    private readonly int _maxAttempts;
    private readonly int _capacity;
    private readonly DeadLetterWriter _deadLetters;
    private readonly NotificationMetrics _metrics;
    private readonly ILogger _logger;
    private readonly TimeProvider _time;
    private readonly CancellationToken _abort;
    private readonly Lock _gate = new();
    private Task _loop = Task.CompletedTask;
    private bool _closed;
    private bool _full;
    private bool _busy;
    private long _lastUsed;
    private int _failedInARow;

    public SinkQueue(NotificationSink sink, NotificationOptions options, DeliveryAttempt attempt, DeadLetterWriter deadLetters,
        NotificationMetrics metrics, ILogger logger, TimeProvider time, CancellationToken abort)
    {
        _kind = sink.Kind;
        _description = Describe(sink);
        _attempt = attempt;
        _backoff = new RetryBackoff(options.InitialBackoff, options.MaxBackoff);
        _maxAttempts = options.MaxAttempts;
        _capacity = options.QueueCapacity;
        _deadLetters = deadLetters;
        _metrics = metrics;
        _logger = logger;
        _time = time;
        _abort = abort;
        _lastUsed = time.GetTimestamp();
        _queue = Channel.CreateBounded<SinkNotification>(new BoundedChannelOptions(options.QueueCapacity) { SingleReader = true, FullMode = BoundedChannelFullMode.Wait });
    }

    /// <summary>Ends when the queue is closed and empty (or aborted and turned into dead letters).</summary>
    public Task Completion => _loop;

    /// <summary>Notifications waiting, the one being delivered not counted.</summary>
    public int Waiting => _queue.Reader.Count;

    /// <summary>A sink for logs: kind and scheme://host:port (a Discord webhook's path is its token).</summary>
    public static string Describe(NotificationSink sink) =>
        $"{sink.Kind} {(Uri.TryCreate(sink.Url, UriKind.Absolute, out var uri) ? SafeUri.Describe(uri) : "(invalid URL)")}";

    public void Start() => _loop = Task.Run(RunAsync, CancellationToken.None);

    public EnqueueResult TryEnqueue(SinkNotification notification)
    {
        lock (_gate)
        {
            if (_closed)
            {
                return EnqueueResult.Closed;
            }

            _metrics.Queued(_kind, 1);
            if (!_queue.Writer.TryWrite(notification))
            {
                _metrics.Queued(_kind, -1);
                if (!_full)
                {
                    _full = true;
                    NotificationLog.QueueFull(_logger, _description, _capacity);
                }

                return EnqueueResult.Full;
            }

            _full = false;
            _lastUsed = _time.GetTimestamp();
            return EnqueueResult.Queued;
        }
    }

    /// <summary>Takes no more; what is queued still goes out.</summary>
    public void Close()
    {
        lock (_gate)
        {
            _closed = true;
            _queue.Writer.TryComplete();
        }
    }

    /// <summary>Closes the queue when nothing was queued or delivered for <paramref name="idleFor"/>; true when it did.</summary>
    public bool TryRetire(TimeSpan idleFor)
    {
        lock (_gate)
        {
            if (_closed || _busy || _queue.Reader.Count > 0 || _time.GetElapsedTime(_lastUsed) < idleFor)
            {
                return false;
            }

            _closed = true;
            _queue.Writer.TryComplete();
        }

        NotificationLog.SinkReleased(_logger, _description);
        return true;
    }

    private async Task RunAsync()
    {
        try
        {
            await foreach (var notification in _queue.Reader.ReadAllAsync(_abort).ConfigureAwait(false))
            {
                _metrics.Queued(_kind, -1);
                SetBusy(true);
                await DeliverAsync(notification).ConfigureAwait(false);
                SetBusy(false);
            }
        }
        catch (OperationCanceledException) when (_abort.IsCancellationRequested)
        {
            // Shutting down past the drain timeout: what is left becomes dead letters, nothing vanishes silently.
            while (_queue.Reader.TryRead(out var left))
            {
                _metrics.Queued(_kind, -1);
                _deadLetters.Post(left, 0, "not delivered before shutdown", "shutdown");
            }
        }
    }

    private async Task DeliverAsync(SinkNotification notification)
    {
        var attempts = 0;
        var lastError = "not tried";
        try
        {
            while (true)
            {
                attempts++;
                var result = await _attempt.SendAsync(notification, _abort).ConfigureAwait(false);
                if (result.Delivered)
                {
                    Delivered(notification);
                    return;
                }

                lastError = result.Error;
                _metrics.AttemptFailed(_kind, result.Reason);
                if (_failedInARow++ == 0)
                {
                    NotificationLog.SinkFailing(_logger, _description, result.Error, _maxAttempts);
                }

                if (!result.Retryable || attempts >= _maxAttempts)
                {
                    NotificationLog.GivenUp(_logger, notification.Signature, notification.Wallet, _description, attempts, lastError);
                    _deadLetters.Post(notification, attempts, lastError, result.Retryable ? "exhausted" : "rejected");
                    return;
                }

                var delay = _backoff.Next(attempts, result.RetryAfter);
                NotificationLog.Retrying(_logger, notification.DeliveryId, _description, attempts, lastError, (long)delay.TotalMilliseconds);
                await Task.Delay(delay, _time, _abort).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (_abort.IsCancellationRequested)
        {
            _deadLetters.Post(notification, attempts, $"shutdown before delivery (last error: {lastError})", "shutdown");
            throw;
        }
#pragma warning disable CA1031 // One broken notification must not end the sink's loop: it is dead-lettered and logged.
        catch (Exception e)
#pragma warning restore CA1031
        {
            NotificationLog.DeliveryCrashed(_logger, _description, e);
            _deadLetters.Post(notification, attempts, $"internal error: {e.Message}", "internal");
        }
    }

    private void Delivered(SinkNotification notification)
    {
        _metrics.Delivered(_kind, _time.GetElapsedTime(notification.QueuedAt));
        if (_failedInARow > 0)
        {
            NotificationLog.SinkRecovered(_logger, _description, _failedInARow);
            _failedInARow = 0;
        }
    }

    private void SetBusy(bool busy)
    {
        lock (_gate)
        {
            _busy = busy;
            _lastUsed = _time.GetTimestamp();
        }
    }
}

/// <summary>What became of a notification offered to a <see cref="SinkQueue"/>.</summary>
internal enum EnqueueResult
{
    Queued,
    Full,
    Closed,
}
