using AccountGrains.Grains.Wallets;
using System.Collections.Concurrent;
using AccountGrains.Runtime.Storage;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace AccountGrains.Grains.Notifications;

/// <summary>
/// Sends wallet activity to sinks (see <c>README.md</c> in this folder). <see cref="Enqueue"/> only queues: each
/// distinct sink (kind and URL) has its own bounded queue and delivery loop, created with its first notification
/// and released after <see cref="NotificationOptions.SinkIdleTimeout"/> of quiet, so one slow or dead receiver never
/// delays another, nor the wallet grain that reported the activity. Stopping drains the queues for at most
/// <see cref="NotificationOptions.DrainTimeout"/>; what is left then becomes dead letters.
/// </summary>
public sealed class NotificationDispatcher : IHostedService, IWalletNotifier, IDisposable
{
    /// <summary>The <see cref="IHttpClientFactory"/> client deliveries go through.</summary>
    public const string HttpClientName = "AccountGrains.Notifications";

    private readonly NotificationOptions _options;
    private readonly (NotificationSink Sink, NotificationSinkOptions Settings)[] _globalSinks;
    private readonly DeliveryAttempt _attempt;
    private readonly DeadLetterWriter _deadLetters;
    private readonly NotificationMetrics _metrics;
    private readonly ILogger _logger;
    private readonly TimeProvider _time;
    private readonly ConcurrentDictionary<string, SinkQueue> _queues = new(StringComparer.Ordinal);
    private readonly CancellationTokenSource _abort = new();
    private readonly Lock _lifecycle = new();
    private ITimer? _idleSweep;
    private bool _stopped;

    public NotificationDispatcher(IOptions<NotificationOptions> options, IHttpClientFactory httpClients, IWalletStore store,
        NotificationMetrics metrics, ILogger<NotificationDispatcher> logger, TimeProvider? time = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(httpClients);
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(metrics);
        ArgumentNullException.ThrowIfNull(logger);
        _options = options.Value;
        _globalSinks = [.. _options.Sinks.Select(s => (s.ToSink(), s))];
        _metrics = metrics;
        _logger = logger;
        _time = time ?? TimeProvider.System;
        _attempt = new DeliveryAttempt(httpClients, _options.Timeout, _time);
        _deadLetters = new DeadLetterWriter(store, _options.QueueCapacity, metrics, logger, _time);
    }

    /// <summary>Sinks with a queue now (idle ones are released).</summary>
    internal int ActiveSinks => _queues.Count;

    /// <summary>
    /// Queues <paramref name="activity"/> for the global sinks that cover its wallet and for
    /// <paramref name="walletSinks"/> (a sink listed in both gets it once). Never blocks, never throws for a receiver's
    /// sake. True when every sink took it; false when notifications are off or stopped, or when some sink refused it
    /// (its queue was full, or it cannot be delivered to): those copies are dead letters already.
    /// </summary>
    void IWalletNotifier.Notify(WalletActivityEntry activity, IReadOnlyList<NotificationSink> walletSinks) => Enqueue(activity, walletSinks);

    public bool Enqueue(WalletActivityEntry activity, IReadOnlyList<NotificationSink> walletSinks)
    {
        ArgumentNullException.ThrowIfNull(activity);
        ArgumentNullException.ThrowIfNull(walletSinks);
        if (!_options.Enabled)
        {
            return false;
        }

        var bodies = new Bodies(activity, _options.TransactionLink(activity.Signature));
        var sent = new HashSet<string>(StringComparer.Ordinal);
        var allQueued = true;
        foreach (var (sink, settings) in _globalSinks)
        {
            if (settings.Covers(activity.Wallet) && sent.Add(sink.Id))
            {
                allQueued &= Offer(sink, activity, bodies);
            }
        }

        foreach (var sink in walletSinks)
        {
            if (sent.Add(sink.Id))
            {
                allQueued &= Offer(sink, activity, bodies);
            }
        }

        return allQueued;
    }

    public Task StartAsync(CancellationToken cancellationToken)
    {
        if (!_options.Enabled)
        {
            NotificationLog.Disabled(_logger);
            return Task.CompletedTask;
        }

        var sweepEvery = _options.SinkIdleTimeout;
        _idleSweep = _time.CreateTimer(_ => ReleaseIdleSinks(), null, sweepEvery, sweepEvery);
        NotificationLog.Started(_logger, _globalSinks.Length, _options.MaxAttempts, _options.QueueCapacity);
        return Task.CompletedTask;
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        SinkQueue[] queues;
        lock (_lifecycle)
        {
            _stopped = true;
            queues = [.. _queues.Values];
            foreach (var queue in queues)
            {
                queue.Close();
            }
        }

        if (_idleSweep is not null)
        {
            await _idleSweep.DisposeAsync().ConfigureAwait(false);
        }

        var drained = Task.WhenAll(queues.Select(q => q.Completion));
        try
        {
            await drained.WaitAsync(_options.DrainTimeout, _time, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is TimeoutException or OperationCanceledException)
        {
            NotificationLog.DrainTimedOut(_logger, queues.Sum(q => q.Waiting), (long)_options.DrainTimeout.TotalMilliseconds);
            await _abort.CancelAsync().ConfigureAwait(false);
            await drained.ConfigureAwait(false);
        }

        await _deadLetters.CompleteAsync(_options.DrainTimeout, cancellationToken).ConfigureAwait(false);
    }

    public void Dispose()
    {
        lock (_lifecycle)
        {
            _stopped = true;
        }

        _idleSweep?.Dispose();
        _abort.Cancel();
        _deadLetters.Dispose();
    }

    private bool Offer(NotificationSink sink, WalletActivityEntry activity, Bodies bodies)
    {
        var notification = new SinkNotification(sink, Guid.NewGuid().ToString("N"), activity.Wallet, activity.Signature, bodies.For(sink.Kind), _time.GetTimestamp());
        if (NotificationOptionsValidator.CheckSink(sink.Kind, sink.Url) is { } problem)
        {
            NotificationLog.InvalidSink(_logger, activity.Wallet, $"{SinkQueue.Describe(sink)}: {problem}");
            _deadLetters.Post(notification, 0, problem, "invalid_sink");
            return false;
        }

        while (QueueOf(sink) is { } queue)
        {
            switch (queue.TryEnqueue(notification))
            {
                case EnqueueResult.Queued:
                    return true;
                case EnqueueResult.Full:
                    _deadLetters.Post(notification, 0, "queue full", "queue_full");
                    return false;
                default:
                    // Released as idle just now: forget it and make a new one.
                    _queues.TryRemove(new KeyValuePair<string, SinkQueue>(sink.Id, queue));
                    break;
            }
        }

        NotificationLog.RefusedAfterStop(_logger, activity.Signature, activity.Wallet);
        return false;
    }

    /// <summary>The sink's queue, made and started if it has none; null once stopped.</summary>
    private SinkQueue? QueueOf(NotificationSink sink)
    {
        if (_queues.TryGetValue(sink.Id, out var queue) && !Volatile.Read(ref _stopped))
        {
            return queue;
        }

        lock (_lifecycle)
        {
            if (_stopped)
            {
                return null;
            }

            if (!_queues.TryGetValue(sink.Id, out queue))
            {
                queue = new SinkQueue(sink, _options, _attempt, _deadLetters, _metrics, _logger, _time, _abort.Token);
                _queues[sink.Id] = queue;
                queue.Start();
            }

            return queue;
        }
    }

    private void ReleaseIdleSinks()
    {
        foreach (var (id, queue) in _queues)
        {
            if (queue.TryRetire(_options.SinkIdleTimeout))
            {
                _queues.TryRemove(new KeyValuePair<string, SinkQueue>(id, queue));
            }
        }
    }

    /// <summary>Each kind's body, built once per activity and only for kinds it goes to.</summary>
    private sealed class Bodies(WalletActivityEntry activity, string transactionLink)
    {
        private byte[]? _webhook;
        private byte[]? _discord;

        public byte[] For(string kind) => kind == NotificationSink.Discord
            ? _discord ??= DiscordPayload.Create(activity, transactionLink)
            : _webhook ??= WebhookPayload.Create(activity, transactionLink);
    }
}
