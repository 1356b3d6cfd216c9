using System.Threading.Channels;
using RabbitMQ.Client;
using RabbitMQ.Client.Events;

namespace AccountGrains.Runtime.Transport.RabbitMq;

/// <summary>
/// A running consumer of one partition queue, on a channel of its own (so that closing it hands every message it
/// has not acknowledged back to the queue at once). Deliveries are handed to the handler in order; each is
/// acknowledged when its handler task completes, and sent back to the queue (nack, requeue) when it fails. With
/// <c>maxInFlight</c> above 1 the next message is handed over as soon as the handler has taken the current one (its
/// outer task), and the acknowledgement waits for the inner task (the effect, e.g. the write-behind batch stored), so
/// storing does not hold the partition up and the order of taking stays the queue's.
/// </summary>
public sealed class PartitionConsumer : IRestorable, IAsyncDisposable
{
    private readonly RabbitMqConnection _connection;
    private readonly Func<DeliveredMessage, ValueTask<Task>> _handler;
    private readonly Func<string, string, ReadOnlyMemory<byte>, CancellationToken, Task> _reply;
    private readonly SemaphoreSlim _inFlight;
    private readonly int _maxInFlight;
    private readonly CancellationTokenSource _stopping = new();
    private readonly Lock _lock = new();
    private Channel<Delivery> _deliveries = CreateQueue();
    private Task _loop = Task.CompletedTask;
    private IChannel? _channel;
    private int _stopped;
    private volatile bool _fenced;

    internal PartitionConsumer(
        RabbitMqConnection connection, int partition, string queue, Func<DeliveredMessage, ValueTask<Task>> handler, int maxInFlight,
        Func<string, string, ReadOnlyMemory<byte>, CancellationToken, Task> reply)
    {
        _connection = connection;
        Partition = partition;
        Queue = queue;
        _handler = handler;
        _maxInFlight = maxInFlight;
        _inFlight = new SemaphoreSlim(maxInFlight, maxInFlight);
        _reply = reply;
    }

    public int Partition { get; }

    public string Queue { get; }

    string IRestorable.Part => "consumer of " + Queue;

    internal async Task StartAsync(CancellationToken cancellationToken)
    {
        await OpenAsync(cancellationToken).ConfigureAwait(false);
        _connection.Register(this);
        RabbitMqLog.ConsumerStarted(_connection.Logger, Queue);
    }

    Task IRestorable.RestoreAsync(CancellationToken cancellationToken) => OpenAsync(cancellationToken);

    /// <summary>
    /// The partition was lost: from now on nothing is handed to the handler and nothing is acknowledged, at once and
    /// without waiting (the new owner may already be allowed to start). Messages in hand go back to the queue when the
    /// consumer is stopped (its channel closed); their effects may be stored twice, which the epoch and token guards
    /// of the store make harmless.
    /// </summary>
    public void Fence()
    {
        _fenced = true;
        _stopping.Cancel();
    }

    /// <summary>
    /// Stops taking messages, waits for the handlers in hand to finish (and be acknowledged) until
    /// <paramref name="cancellationToken"/> ends, then closes the channel: every message not acknowledged by then
    /// goes back to the queue for the next consumer.
    /// </summary>
    public async Task StopAsync(CancellationToken cancellationToken = default)
    {
        if (Interlocked.Exchange(ref _stopped, 1) == 1)
        {
            return;
        }

        _connection.Unregister(this);
        await _stopping.CancelAsync().ConfigureAwait(false);
        Channel<Delivery> deliveries;
        Task loop;
        lock (_lock)
        {
            deliveries = _deliveries;
            loop = _loop;
        }

        deliveries.Writer.TryComplete();
        try
        {
            await loop.WaitAsync(cancellationToken).ConfigureAwait(false);
            await WaitForHandlersAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Handlers still running: their messages stay unacknowledged and return to the queue on close.
        }

        var abandoned = 0;
        while (deliveries.Reader.TryRead(out _))
        {
            abandoned++;
        }

        abandoned += _maxInFlight - _inFlight.CurrentCount;
        var channel = _channel;
        _channel = null;
        if (channel is not null)
        {
            await ChannelCloser.CloseQuietlyAsync(channel).ConfigureAwait(false);
        }

        RabbitMqLog.ConsumerStopped(_connection.Logger, Queue, abandoned);
    }

    public async ValueTask DisposeAsync()
    {
        using var grace = new CancellationTokenSource(TimeSpan.FromSeconds(5));
        await StopAsync(grace.Token).ConfigureAwait(false);
    }

    private static Channel<Delivery> CreateQueue() =>
        Channel.CreateUnbounded<Delivery>(new UnboundedChannelOptions { SingleReader = true, SingleWriter = true });

    private async Task OpenAsync(CancellationToken cancellationToken)
    {
        var old = _channel;
        if (old is not null)
        {
            // Deliveries of the old channel cannot be acknowledged any more; the broker has requeued them.
            await ChannelCloser.CloseQuietlyAsync(old).ConfigureAwait(false);
        }

        var channel = await _connection.CreateChannelAsync(confirms: false, cancellationToken).ConfigureAwait(false);
        try
        {
            await channel.BasicQosAsync(0, (ushort)_connection.Options.Prefetch, global: false, cancellationToken).ConfigureAwait(false);
            var deliveries = CreateQueue();
            lock (_lock)
            {
                _deliveries.Writer.TryComplete();
                _deliveries = deliveries;
                var previous = _loop;
                _loop = Task.Run(() => RunAsync(previous, channel, deliveries.Reader), CancellationToken.None);
            }

            var consumer = new AsyncEventingBasicConsumer(channel);
            consumer.ReceivedAsync += (_, args) => OnReceivedAsync(channel, deliveries.Writer, args);
            _channel = channel;
            await channel.BasicConsumeAsync(Queue, autoAck: false, consumer, cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            await ChannelCloser.CloseQuietlyAsync(channel).ConfigureAwait(false);
            throw;
        }
    }

    // Never runs the handler here: the library's dispatcher must not wait for our handlers (closing a channel waits
    // for its dispatcher), so the delivery is copied out and queued for our own loop.
    private Task OnReceivedAsync(IChannel channel, ChannelWriter<Delivery> writer, BasicDeliverEventArgs args)
    {
        if (_stopping.IsCancellationRequested)
        {
            return Task.CompletedTask; // left unacknowledged: back to the queue when the channel closes
        }

        var message = new DeliveredMessage(Partition, args.Body.ToArray(), args.BasicProperties, args.Redelivered, _reply);
        if (message.Redelivered)
        {
            _connection.Metrics.Redelivered();
        }

        writer.TryWrite(new Delivery(channel, args.DeliveryTag, message));
        return Task.CompletedTask;
    }

    private async Task RunAsync(Task previous, IChannel channel, ChannelReader<Delivery> reader)
    {
        // One loop at a time: after a restore the old loop ends (its queue completed) before the new one hands over.
        await previous.ConfigureAwait(false);
        await foreach (var delivery in reader.ReadAllAsync().ConfigureAwait(false))
        {
            if (_stopping.IsCancellationRequested || delivery.Channel != channel)
            {
                continue;
            }

            await _inFlight.WaitAsync().ConfigureAwait(false);
            Task handled;
            try
            {
                handled = await _handler(delivery.Message).ConfigureAwait(false);
            }
#pragma warning disable CA1031 // a handler's failure is the message's failure: it goes back to the queue
            catch (Exception e)
#pragma warning restore CA1031
            {
                handled = Task.FromException(e);
            }

            var settled = SettleAsync(delivery, handled);
            if (_maxInFlight == 1)
            {
                await settled.ConfigureAwait(false);
            }
        }
    }

    private async Task SettleAsync(Delivery delivery, Task handled)
    {
        try
        {
            Exception? failure = null;
            try
            {
                await handled.ConfigureAwait(false);
            }
#pragma warning disable CA1031
            catch (Exception e)
#pragma warning restore CA1031
            {
                failure = e;
            }

            if (_fenced || !delivery.Channel.IsOpen)
            {
                RabbitMqLog.AckSkipped(_connection.Logger, Queue);
                return;
            }

            try
            {
                if (failure is null)
                {
                    await delivery.Channel.BasicAckAsync(delivery.Tag, multiple: false).ConfigureAwait(false);
                    _connection.Metrics.Acked();
                }
                else
                {
                    RabbitMqLog.HandlerFailed(_connection.Logger, Queue, delivery.Message.Redelivered, delivery.Message.DeliveryCount, failure);

                    // A failure that repeats (storage down, a grain that cannot activate) would otherwise come straight
                    // back: hold the message a little longer each time it returns before handing it back.
                    await Task.Delay(RequeueDelay(delivery.Message.DeliveryCount ?? 0)).ConfigureAwait(false);
                    await delivery.Channel.BasicNackAsync(delivery.Tag, multiple: false, requeue: true).ConfigureAwait(false);
                }
            }
#pragma warning disable CA1031 // the channel closed between the check and the ack: the broker redelivers
            catch (Exception)
#pragma warning restore CA1031
            {
                RabbitMqLog.AckSkipped(_connection.Logger, Queue);
            }
        }
        finally
        {
            _inFlight.Release();
        }
    }

    /// <summary>100 ms for a first failure, doubling with each redelivery, at most 5 s.</summary>
    internal static TimeSpan RequeueDelay(long deliveryCount) =>
        TimeSpan.FromMilliseconds(Math.Min(5000, 100 * Math.Pow(2, Math.Clamp(deliveryCount, 0, 6))));

    private async Task WaitForHandlersAsync(CancellationToken cancellationToken)
    {
        var acquired = 0;
        try
        {
            for (; acquired < _maxInFlight; acquired++)
            {
                await _inFlight.WaitAsync(cancellationToken).ConfigureAwait(false);
            }
        }
        finally
        {
            if (acquired > 0)
            {
                _inFlight.Release(acquired);
            }
        }
    }

    private sealed record Delivery(IChannel Channel, ulong Tag, DeliveredMessage Message);
}
