using System.Threading.Channels;
using RabbitMQ.Client;
using RabbitMQ.Client.Exceptions;

namespace AccountGrains.Runtime.Transport.RabbitMq;

/// <summary>
/// Publishes with publisher confirms, batched: one loop takes up to <see cref="RabbitMqOptions.PublishBatchSize"/>
/// queued publishes, sends them all, then awaits their confirms together (the broker confirms many with one frame).
/// A publish completes when the broker has confirmed it — for a durable queue and a persistent message, once it is
/// on disk. A batch that fails (connection lost, nack, no confirm in time) is sent again on a fresh channel, in the
/// same order, until each publish's <see cref="RabbitMqOptions.ConfirmTimeout"/>: at-least-once, so a retry can
/// duplicate a message the broker had in fact taken. Nothing to restore after a reconnect: the loop replaces its
/// channel when it finds it closed.
/// </summary>
internal sealed class ConfirmingPublisher : IAsyncDisposable
{
    private readonly RabbitMqConnection _connection;
    private readonly Channel<Pending> _queue = Channel.CreateUnbounded<Pending>(new UnboundedChannelOptions { SingleReader = true });
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;
    private IChannel? _channel;

    public ConfirmingPublisher(RabbitMqConnection connection, string part)
    {
        _connection = connection;
        Part = part;
        _loop = Task.Run(RunAsync);
    }

    public string Part { get; }

    /// <summary>
    /// Queues one publish; the task completes when the broker confirms it. Publishes are sent in call order.
    /// <paramref name="body"/> must stay unchanged until then.
    /// </summary>
    public Task PublishAsync(string exchange, string routingKey, BasicProperties properties, ReadOnlyMemory<byte> body, bool mandatory)
    {
        var pending = new Pending(exchange, routingKey, properties, body, mandatory, DateTime.UtcNow + _connection.Options.ConfirmTimeout);
        if (!_queue.Writer.TryWrite(pending))
        {
            throw new ObjectDisposedException(nameof(ConfirmingPublisher), "the RabbitMQ publisher is stopped");
        }

        return pending.Done.Task;
    }

    private async Task RunAsync()
    {
        var reader = _queue.Reader;
        var batch = new List<Pending>(_connection.Options.PublishBatchSize);
        try
        {
            while (await reader.WaitToReadAsync(_stop.Token).ConfigureAwait(false))
            {
                batch.Clear();
                while (batch.Count < _connection.Options.PublishBatchSize && reader.TryRead(out var pending))
                {
                    batch.Add(pending);
                }

                await PublishBatchAsync(batch).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (_stop.IsCancellationRequested)
        {
        }

        foreach (var pending in batch)
        {
            pending.Done.TrySetException(new ObjectDisposedException(nameof(ConfirmingPublisher), "the RabbitMQ publisher stopped before the broker confirmed"));
        }

        while (reader.TryRead(out var left))
        {
            left.Done.TrySetException(new ObjectDisposedException(nameof(ConfirmingPublisher), "the RabbitMQ publisher stopped before the broker confirmed"));
        }
    }

    private async Task PublishBatchAsync(List<Pending> batch)
    {
        var remaining = batch;
        for (var attempt = 1; remaining.Count > 0; attempt++)
        {
            var now = DateTime.UtcNow;
            var failed = new List<Pending>();
            Exception? failure = null;
            foreach (var pending in remaining)
            {
                if (now > pending.Deadline)
                {
                    pending.Done.TrySetException(new TimeoutException(
                        $"publish to {Describe(pending)} was not confirmed by RabbitMQ within {_connection.Options.ConfirmTimeout.TotalSeconds:0.#} s "
                        + $"({_connection.Describe()}, open: {_connection.IsOpen}); last error: {failure?.Message ?? pending.LastError ?? "none"}"));
                }
            }

            remaining = remaining.Where(p => !p.Done.Task.IsCompleted).ToList();
            if (remaining.Count == 0)
            {
                return;
            }

            var deadline = remaining.Min(p => p.Deadline);
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(_stop.Token);
            timeout.CancelAfter(Max(deadline - DateTime.UtcNow, TimeSpan.FromMilliseconds(1)));
            try
            {
                var channel = await GetChannelAsync(timeout.Token).ConfigureAwait(false);
                var confirms = new Task[remaining.Count];
                for (var i = 0; i < remaining.Count; i++)
                {
                    var p = remaining[i];
                    confirms[i] = channel.BasicPublishAsync(p.Exchange, p.RoutingKey, p.Mandatory, p.Properties, p.Body, timeout.Token).AsTask();
                }

                var confirmed = 0;
                for (var i = 0; i < confirms.Length; i++)
                {
                    try
                    {
                        await confirms[i].ConfigureAwait(false);
                        remaining[i].Done.TrySetResult();
                        confirmed++;
                    }
                    catch (PublishException e) when (e.IsReturn)
                    {
                        remaining[i].Done.TrySetException(new InvalidOperationException(
                            $"RabbitMQ returned the message published to {Describe(remaining[i])}: nothing is bound there (was the queue declared?)", e));
                    }
                    catch (Exception e) when (e is not OperationCanceledException || !_stop.IsCancellationRequested)
                    {
                        remaining[i].LastError = e.Message;
                        failure ??= e;
                        failed.Add(remaining[i]);
                    }
                }

                _connection.Metrics.Published(confirmed);
            }
            catch (Exception e) when (e is not OperationCanceledException || !_stop.IsCancellationRequested)
            {
                // No channel (connection down): the whole batch waits for the next attempt.
                failure = e;
                failed = remaining.Where(p => !p.Done.Task.IsCompleted).ToList();
            }

            remaining = failed;
            if (remaining.Count > 0)
            {
                RabbitMqLog.PublishRetry(_connection.Logger, remaining.Count, Describe(remaining[0]), attempt, failure!);
                await ResetChannelAsync().ConfigureAwait(false);
                await Task.Delay(TimeSpan.FromMilliseconds(Math.Min(100 * attempt, 1000)), _stop.Token).ConfigureAwait(false);
            }
        }
    }

    private static TimeSpan Max(TimeSpan a, TimeSpan b) => a > b ? a : b;

    private static string Describe(Pending p) => p.Exchange.Length == 0 ? $"queue {p.RoutingKey}" : $"exchange {p.Exchange} with key {p.RoutingKey}";

    private async Task<IChannel> GetChannelAsync(CancellationToken cancellationToken)
    {
        if (_channel is { IsOpen: true } open)
        {
            return open;
        }

        await ResetChannelAsync().ConfigureAwait(false);
        await _connection.WaitUntilOpenAsync(cancellationToken).ConfigureAwait(false);
        _channel = await _connection.CreateChannelAsync(confirms: true, cancellationToken).ConfigureAwait(false);
        return _channel;
    }

    private async Task ResetChannelAsync()
    {
        var channel = _channel;
        _channel = null;
        if (channel is not null)
        {
            await ChannelCloser.CloseQuietlyAsync(channel).ConfigureAwait(false);
        }
    }

    public async ValueTask DisposeAsync()
    {
        _queue.Writer.TryComplete();
        await _stop.CancelAsync().ConfigureAwait(false);
        await _loop.ConfigureAwait(false);
        await ResetChannelAsync().ConfigureAwait(false);
        _stop.Dispose();
    }

    private sealed class Pending(string exchange, string routingKey, BasicProperties properties, ReadOnlyMemory<byte> body, bool mandatory, DateTime deadline)
    {
        public string Exchange => exchange;

        public string RoutingKey => routingKey;

        public BasicProperties Properties => properties;

        public ReadOnlyMemory<byte> Body => body;

        public bool Mandatory => mandatory;

        public DateTime Deadline => deadline;

        public string? LastError { get; set; }

        public TaskCompletionSource Done { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}
