using AccountGrains.Runtime.Messaging;
using AccountGrains.Runtime.Messaging.Wire;
using Microsoft.Extensions.Logging;

namespace AccountGrains.Runtime.Transport.RabbitMq;

/// <summary>
/// The cluster transport: grain calls travel as <see cref="GrainCallCodec"/> bytes over the partition queues. A call
/// that expects a result is a request (direct reply-to) answered with <see cref="GrainReplyCodec"/> bytes and bounded by
/// <see cref="RabbitMqOptions.CallTimeout"/>; a one-way call is a persistent publish, and awaiting its confirm is the
/// back-pressure. The queues are the caller's: this transport neither declares, deletes nor disposes them.
/// </summary>
/// <remarks>
/// One-way calls of a partition arrive in the order they were sent; requests go out on their own channel, so a request
/// is not ordered against one-way calls sent just before it.
/// </remarks>
public sealed class RabbitMqTransport : IMessageTransport
{
    private readonly PartitionQueues _queues;
    private readonly GrainCallCodec _codec;
    private readonly TimeSpan _callTimeout;
    private readonly ILogger<RabbitMqTransport> _logger;

    public RabbitMqTransport(PartitionQueues queues, GrainCallCodec codec, RabbitMqOptions options, ILogger<RabbitMqTransport> logger)
    {
        ArgumentNullException.ThrowIfNull(queues);
        ArgumentNullException.ThrowIfNull(codec);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(logger);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(options.CallTimeout, TimeSpan.Zero);
        _queues = queues;
        _codec = codec;
        _callTimeout = options.CallTimeout;
        _logger = logger;
    }

    /// <summary>
    /// A one-way call completes when the broker has stored it. A call with a response completes as soon as the request
    /// is on its way; the response sink gets the decoded reply, the transport's failure, or a <see cref="TimeoutException"/>
    /// naming the call after <see cref="RabbitMqOptions.CallTimeout"/>.
    /// </summary>
    public ValueTask SendAsync(int partition, GrainMessage message, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(message);
        cancellationToken.ThrowIfCancellationRequested();
        var body = _codec.Encode(message);
        if (message.Response is not { } response)
        {
            return new ValueTask(_queues.PublishAsync(partition, body));
        }

        _ = RequestAsync(partition, message, response, body);
        return ValueTask.CompletedTask;
    }

    // Never throws: every outcome goes to the caller's sink.
    private async Task RequestAsync(int partition, GrainMessage message, IResponseSink response, byte[] body)
    {
        try
        {
            var reply = await _queues.RequestAsync(partition, body, _callTimeout).ConfigureAwait(false);
            GrainReplyCodec.Decode(reply.Span, message.Method).CompleteTo(response);
        }
        catch (TimeoutException e)
        {
            response.SetException(new TimeoutException(
                $"grain call {message} to partition {partition} got no reply within {_callTimeout.TotalSeconds:0.###} s", e));
        }
#pragma warning disable CA1031 // a failed request is the call's failure: the caller sees it through its sink
        catch (Exception e)
#pragma warning restore CA1031
        {
            response.SetException(e);
        }
    }

    public IPartitionConsumer Consume(int partition, Func<GrainMessage, CancellationToken, ValueTask> handler)
    {
        ArgumentNullException.ThrowIfNull(handler);
        return new Consumer(this, partition, handler);
    }

    /// <summary>Nothing to release: the consumers are stopped by their owners and the queues belong to the caller.</summary>
    public ValueTask DisposeAsync() => ValueTask.CompletedTask;

    private sealed class Consumer : IPartitionConsumer
    {
        private readonly RabbitMqTransport _transport;
        private readonly Func<GrainMessage, CancellationToken, ValueTask> _handler;
        private readonly CancellationTokenSource _disposing = new();
        private readonly Task<PartitionConsumer?> _started;
        private int _disposed;

        public Consumer(RabbitMqTransport transport, int partition, Func<GrainMessage, CancellationToken, ValueTask> handler)
        {
            _transport = transport;
            Partition = partition;
            _handler = handler;
            _started = StartAsync();
        }

        public int Partition { get; }

        /// <summary>
        /// Stops taking messages and waits for the one in hand to be handed to the runtime and acknowledged. What is
        /// still in the queue stays there for the partition's next owner.
        /// </summary>
        public async Task DrainAsync(CancellationToken cancellationToken)
        {
            if (await _started.ConfigureAwait(false) is { } consumer)
            {
                await consumer.StopAsync(cancellationToken).ConfigureAwait(false);
            }
        }

        public async ValueTask DisposeAsync()
        {
            if (Interlocked.Exchange(ref _disposed, 1) == 1)
            {
                return;
            }

            await _disposing.CancelAsync().ConfigureAwait(false);
            if (await _started.ConfigureAwait(false) is { } consumer)
            {
                await consumer.DisposeAsync().ConfigureAwait(false);
            }

            _disposing.Dispose();
        }

        private async Task<PartitionConsumer?> StartAsync()
        {
            try
            {
                // One at a time: the delivery handler returns once the runtime has taken the message, which keeps the
                // partition's order, and the ack follows it.
                return await _transport._queues.ConsumeAsync(Partition, DeliverAsync, maxInFlight: 1, _disposing.Token).ConfigureAwait(false);
            }
#pragma warning disable CA1031 // IMessageTransport.Consume cannot fail late; the messages wait in the durable queue
            catch (Exception e)
#pragma warning restore CA1031
            {
                RabbitMqLog.ConsumeFailed(_transport._logger, Partition, e);
                return null;
            }
        }

        // The acknowledgement follows the runtime handler's completion, which means the turn has been queued on its
        // activation, not that its effect is stored. Acknowledging after storage needs a hook into the write-behind
        // (complete when the batch holding this turn's writes is stored) and maxInFlight above 1; left for later.
        private async Task DeliverAsync(DeliveredMessage delivery)
        {
            var logger = _transport._logger;
            GrainCall call;
            try
            {
                call = _transport._codec.Decode(delivery.Body.Span);
            }
            catch (GrainWireException e)
            {
                // Acknowledged, never requeued: a payload this silo cannot read would come back forever.
                RabbitMqLog.UndecodableCall(logger, Partition, delivery.IsRequest, e);
                if (delivery.IsRequest)
                {
                    await ReplySink.SendAsync(delivery, GrainReplyCodec.EncodeException(e), "an undecodable call", logger).ConfigureAwait(false);
                }

                return;
            }

            var sink = delivery.IsRequest && !call.IsOneWay ? new ReplySink(delivery, call, logger) : null;
            var message = call.ToMessage(sink);
            try
            {
                await _handler(message, _disposing.Token).ConfigureAwait(false);
            }
            catch (Exception e) when (sink is not null)
            {
                // The caller gets the error and the request is done with; a one-way call goes back to the queue instead.
                RabbitMqLog.RequestDeliveryFailed(logger, message.ToString(), Partition, e);
                sink.SetException(e);
            }
        }
    }

    /// <summary>The remote caller's response sink: encodes the outcome and replies to the request.</summary>
    private sealed class ReplySink(DeliveredMessage delivery, GrainCall call, ILogger logger) : IResponseSink
    {
        private int _completed;

        public void SetResult(object? result)
        {
            byte[] body;
            try
            {
                body = GrainReplyCodec.EncodeResult(call.Method, result);
            }
#pragma warning disable CA1031 // a result the wire cannot carry reaches the caller as an error instead
            catch (Exception e)
#pragma warning restore CA1031
            {
                body = GrainReplyCodec.EncodeException(e);
            }

            Reply(body);
        }

        public void SetException(Exception exception) => Reply(GrainReplyCodec.EncodeException(exception));

        private void Reply(byte[] body)
        {
            if (Interlocked.Exchange(ref _completed, 1) == 0)
            {
                _ = SendAsync(delivery, body, $"{call.Target}.{call.Method.Name}", logger);
            }
        }

        public static async Task SendAsync(DeliveredMessage delivery, byte[] body, string call, ILogger logger)
        {
            try
            {
                await delivery.ReplyAsync(body).ConfigureAwait(false);
            }
#pragma warning disable CA1031 // the caller times out; nothing else waits for this reply
            catch (Exception e)
#pragma warning restore CA1031
            {
                RabbitMqLog.ReplyFailed(logger, call, delivery.Partition, e);
            }
        }
    }
}
