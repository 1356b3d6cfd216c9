using System.Collections.Concurrent;
using AccountGrains.Runtime.Messaging;
using AccountGrains.Runtime.Messaging.Wire;
using AccountGrains.Runtime.Partitioning;
using Microsoft.Extensions.Logging;

namespace AccountGrains.Runtime.Transport.RabbitMq;

/// <summary>
/// The cluster transport: grain calls travel as <see cref="GrainCallCodec"/> bytes over the partition queues. A call
/// that expects a result is a request (direct reply-to) answered with <see cref="GrainReplyCodec"/> bytes and bounded by
/// <see cref="RabbitMqOptions.CallTimeout"/>. A one-way call is a persistent publish: <see cref="SendAsync"/> returns
/// once it is on its way, up to <see cref="RabbitMqOptions.MaxUnconfirmed"/> publishes wait for their confirms at once
/// (more make the sender wait), and <see cref="FlushAsync"/> waits until the broker has stored everything sent before
/// it. A publish the broker never confirmed makes the next <see cref="SendAsync"/> and <see cref="FlushAsync"/> throw
/// <see cref="MessageNotDeliveredException"/>, so the sender (the ingest) resumes from what it knows was stored.
/// <para>
/// Consuming: a message is taken when its grain has queued it (in partition order), and acknowledged only after its
/// turn has run and the write-behind has stored what the turn wrote (the <c>effectsStored</c> barrier): a crash before
/// that redelivers it to the partition's next owner.
/// </para>
/// A call whose grain key does not hash to the partition it came through (its sender's partition count is not the
/// cluster's) is refused and acknowledged without running: run there it would be a second activation of the grain.
/// The queues are the caller's: this transport neither declares, deletes nor disposes them.
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
    private readonly Func<Task> _effectsStored;
    private readonly int _maxInFlight;
    private readonly TimeSpan _maxRetryDelay;
    private readonly SemaphoreSlim _unconfirmed;
    private readonly ConcurrentDictionary<long, Task> _outstanding = new();
    private long _nextPublish;
    private long _undelivered;
    private long _undeliveredSeenBySend;
    private long _undeliveredSeenByFlush;
    private Exception? _lastUndelivered;

    // One-way calls wait here per partition for up to Linger (or MaxBatchCalls) and travel as one message: a broker
    // message per update costs the broker more CPU than everything else on the path.
    private readonly Lock _batching = new();
    private readonly List<byte[]>?[] _pendingBatches;
    private readonly SemaphoreSlim _lingerSignal = new(0, 1);
    private readonly CancellationTokenSource _stopping = new();
    private readonly TimeSpan _linger;
    private readonly int _maxBatchCalls;
    private readonly Task _lingerLoop;
    private bool _lingerScheduled;

    /// <param name="queues">The partition queues (declared by the caller).</param>
    /// <param name="codec">Encodes and decodes grain calls.</param>
    /// <param name="options">Call timeout, prefetch (messages waiting for their effects per partition) and MaxUnconfirmed.</param>
    /// <param name="logger">Where failures are logged.</param>
    /// <param name="effectsStored">
    /// Completes when everything the grains have written so far is in storage (the write-behind's
    /// <c>WhenStoredAsync</c>); a one-way message is acknowledged after its turn and this. Null: after its turn.
    /// </param>
    public RabbitMqTransport(
        PartitionQueues queues, GrainCallCodec codec, RabbitMqOptions options, ILogger<RabbitMqTransport> logger, Func<Task>? effectsStored = null)
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
        _effectsStored = effectsStored ?? (static () => Task.CompletedTask);
        _maxInFlight = Math.Max(1, options.Prefetch);
        _maxRetryDelay = options.MaxReconnectDelay;
        _unconfirmed = new SemaphoreSlim(options.MaxUnconfirmed, options.MaxUnconfirmed);
        _linger = options.BatchLinger;
        _maxBatchCalls = options.MaxBatchCalls;
        _pendingBatches = new List<byte[]>?[queues.PartitionCount];
        _lingerLoop = _maxBatchCalls > 1 ? Task.Run(LingerLoopAsync) : Task.CompletedTask;
    }

    /// <summary>One-way publishes sent and not yet confirmed by the broker.</summary>
    public int Unconfirmed => _outstanding.Count;

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
            ThrowIfUndelivered();
            return _unconfirmed.Wait(0, CancellationToken.None) ? Publish(partition, body) : WaitAndPublishAsync(partition, body, cancellationToken);
        }

        _ = RequestAsync(partition, message, response, body);
        return ValueTask.CompletedTask;
    }

    /// <summary>
    /// Completes when the broker has stored every one-way message sent before the call; throws
    /// <see cref="MessageNotDeliveredException"/> when one of them (or one since the last flush) was never confirmed.
    /// </summary>
    public async Task FlushAsync(CancellationToken cancellationToken = default)
    {
        PublishAllPending();
        var pending = _outstanding.Values.ToArray();
        try
        {
            await Task.WhenAll(pending).WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // Recorded in _undelivered by the publish's continuation; reported below.
        }

        ThrowIfUndelivered(ref _undeliveredSeenByFlush);
    }

    // Senders and flushers each learn of every failure once (the ingest's loop and its checkpoint both must know).
    private void ThrowIfUndelivered() => ThrowIfUndelivered(ref _undeliveredSeenBySend);

    private void ThrowIfUndelivered(ref long seen)
    {
        var failures = Interlocked.Read(ref _undelivered);
        if (failures != Interlocked.Exchange(ref seen, failures))
        {
            var failure = Volatile.Read(ref _lastUndelivered);
            throw new MessageNotDeliveredException(
                $"{failures} one-way grain calls so far were not confirmed by RabbitMQ; last: {failure?.Message}", failure);
        }
    }

    private async ValueTask WaitAndPublishAsync(int partition, byte[] body, CancellationToken cancellationToken)
    {
        await _unconfirmed.WaitAsync(cancellationToken).ConfigureAwait(false);
        await Publish(partition, body).ConfigureAwait(false);
    }

    // Holds one unconfirmed permit per call. Published under the lock: publishes of a partition reach the publisher's
    // queue in the order the calls were sent, whichever thread publishes them.
    private ValueTask Publish(int partition, byte[] body)
    {
        if (_maxBatchCalls <= 1)
        {
            PublishCalls(partition, [body]);
            return ValueTask.CompletedTask;
        }

        var wake = false;
        lock (_batching)
        {
            var batch = _pendingBatches[partition] ??= new List<byte[]>(_maxBatchCalls);
            batch.Add(body);
            if (batch.Count >= _maxBatchCalls)
            {
                _pendingBatches[partition] = null;
                PublishCalls(partition, batch);
            }
            else if (!_lingerScheduled)
            {
                _lingerScheduled = true;
                wake = true;
            }
        }

        if (wake)
        {
            try
            {
                _lingerSignal.Release();
            }
            catch (SemaphoreFullException)
            {
                // Already signalled.
            }
        }

        return ValueTask.CompletedTask;
    }

    private async Task LingerLoopAsync()
    {
        try
        {
            while (true)
            {
                await _lingerSignal.WaitAsync(_stopping.Token).ConfigureAwait(false);
                await Task.Delay(_linger, _stopping.Token).ConfigureAwait(false);
                PublishAllPending();
            }
        }
        catch (OperationCanceledException) when (_stopping.IsCancellationRequested)
        {
            PublishAllPending();
        }
    }

    private void PublishAllPending()
    {
        lock (_batching)
        {
            _lingerScheduled = false;
            for (var partition = 0; partition < _pendingBatches.Length; partition++)
            {
                if (_pendingBatches[partition] is { } batch)
                {
                    _pendingBatches[partition] = null;
                    PublishCalls(partition, batch);
                }
            }
        }
    }

    private void PublishCalls(int partition, List<byte[]> calls)
    {
        Task confirmed;
        try
        {
            confirmed = _queues.PublishAsync(partition, calls.Count == 1 ? calls[0] : CallBatch.Encode(calls));
        }
#pragma warning disable CA1031 // the publisher is stopped: these calls are undelivered, and the sender hears of it
        catch (Exception e)
#pragma warning restore CA1031
        {
            confirmed = Task.FromException(e);
        }

        var id = Interlocked.Increment(ref _nextPublish);
        _outstanding[id] = confirmed;
        _ = confirmed.ContinueWith(
            static (task, state) =>
            {
                var (transport, id, count) = ((RabbitMqTransport, long, int))state!;
                transport._outstanding.TryRemove(id, out _);
                transport._unconfirmed.Release(count);
                if (task.Exception is { } failure)
                {
                    Volatile.Write(ref transport._lastUndelivered, failure.GetBaseException());
                    Interlocked.Add(ref transport._undelivered, count);
                    RabbitMqLog.OneWayNotConfirmed(transport._logger, failure.GetBaseException());
                }
            },
            (this, id, calls.Count),
            CancellationToken.None,
            TaskContinuationOptions.ExecuteSynchronously,
            TaskScheduler.Default);
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

    /// <summary>
    /// Publishes what still lingers and stops the linger loop; the consumers are stopped by their owners and the
    /// queues belong to the caller.
    /// </summary>
    public async ValueTask DisposeAsync()
    {
        if (!_stopping.IsCancellationRequested)
        {
            await _stopping.CancelAsync().ConfigureAwait(false);
            await _lingerLoop.ConfigureAwait(false);
        }
    }

    Task IMessageTransport.FlushAsync(CancellationToken cancellationToken) => FlushAsync(cancellationToken);

    private sealed class Consumer : IPartitionConsumer
    {
        private readonly RabbitMqTransport _transport;
        private readonly Func<GrainMessage, CancellationToken, ValueTask> _handler;
        private readonly CancellationTokenSource _disposing = new();
        private readonly Task<PartitionConsumer?> _started;
        private int _fencedFlag;
        private int _draining;
        private readonly CancellationTokenSource _stopTrying = new();
        private PartitionConsumer? _consumer;
        private int _disposed;

        public Consumer(RabbitMqTransport transport, int partition, Func<GrainMessage, CancellationToken, ValueTask> handler)
        {
            _transport = transport;
            Partition = partition;
            _handler = handler;
            _started = StartAsync();
        }

        public int Partition { get; }

        public void Fence()
        {
            // Flag first, then look for the consumer; StartAsync publishes the consumer first, then looks at the flag:
            // whichever comes second fences it.
            Interlocked.Exchange(ref _fencedFlag, 1);
            Volatile.Read(ref _consumer)?.Fence();
            try
            {
                _stopTrying.Cancel(); // a start still retrying gives up now
            }
            catch (ObjectDisposedException)
            {
                // Disposed already.
            }
        }

        /// <summary>
        /// Stops taking messages and waits for the one in hand to be handed to the runtime and acknowledged. What is
        /// still in the queue stays there for the partition's next owner.
        /// </summary>
        public async Task DrainAsync(CancellationToken cancellationToken)
        {
            // A consumer still trying to start (the broker away) stops trying: there is nothing in hand to drain.
            Interlocked.Exchange(ref _draining, 1);
            await _stopTrying.CancelAsync().ConfigureAwait(false);
            if (await _started.WaitAsync(cancellationToken).ConfigureAwait(false) is { } consumer)
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
            _stopTrying.Dispose();
        }

        // Retried until it works or the consumer is disposed: a partition this silo owns must not sit unconsumed
        // because the broker was away at the moment it was acquired.
        private async Task<PartitionConsumer?> StartAsync()
        {
            var delay = TimeSpan.FromMilliseconds(200);
            for (var attempt = 1; Volatile.Read(ref _fencedFlag) == 0 && Volatile.Read(ref _draining) == 0; attempt++)
            {
                try
                {
                    // Taking is one at a time (the partition's order); up to Prefetch messages wait for their effects
                    // to be stored, and each is acknowledged when its own effect is.
                    var consumer = await _transport._queues.ConsumeAsync(Partition, DeliverAsync, _transport._maxInFlight, _disposing.Token).ConfigureAwait(false);
                    Interlocked.Exchange(ref _consumer, consumer);
                    if (Volatile.Read(ref _fencedFlag) == 1)
                    {
                        consumer.Fence();
                    }

                    return consumer;
                }
                catch (OperationCanceledException) when (_disposing.IsCancellationRequested)
                {
                    return null;
                }
#pragma warning disable CA1031 // IMessageTransport.Consume cannot fail late; the messages wait in the durable queue
                catch (Exception e)
#pragma warning restore CA1031
                {
                    RabbitMqLog.ConsumeFailed(_transport._logger, Partition, attempt, (long)delay.TotalMilliseconds, e);
                    try
                    {
                        using var wait = CancellationTokenSource.CreateLinkedTokenSource(_disposing.Token, _stopTrying.Token);
                        await Task.Delay(delay, wait.Token).ConfigureAwait(false);
                    }
                    catch (OperationCanceledException)
                    {
                        return null;
                    }

                    delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, _transport._maxRetryDelay.Ticks));
                }
            }

            return null;
        }

        // Taking: decode, hand to the runtime (the grain's mailbox). The returned task is the effect the ack waits for.
        private async ValueTask<Task> DeliverAsync(DeliveredMessage delivery)
        {
            if (!delivery.IsRequest && CallBatch.IsBatch(delivery.Body.Span))
            {
                return await DeliverBatchAsync(delivery).ConfigureAwait(false);
            }

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

                return Task.CompletedTask;
            }

            // Only the owner of the key's partition may run it (one activation per grain): a call that came through
            // another queue was sent by a member whose partition count is not the cluster's.
            var owner = PartitionHash.PartitionOf(call.Target.Key, _transport._queues.PartitionCount);
            if (owner != Partition)
            {
                RabbitMqLog.MisroutedCall(logger, $"{call.Target}.{call.Method.Name}", Partition, owner, delivery.IsRequest);
                if (delivery.IsRequest)
                {
                    var refusal = new InvalidOperationException(
                        $"grain {call.Target} belongs to partition {owner} of {_transport._queues.PartitionCount} but its call came through partition "
                        + $"{Partition}: the caller's AccountGrains:Runtime:PartitionCount is not the cluster's ({_transport._queues.PartitionCount}); the call was not run");
                    await ReplySink.SendAsync(delivery, GrainReplyCodec.EncodeException(refusal), call.Target.ToString(), logger).ConfigureAwait(false);
                }

                return Task.CompletedTask;
            }

            var sink = delivery.IsRequest && !call.IsOneWay ? new ReplySink(delivery, call, logger) : null;
            var message = call.ToMessage(sink);
            var processed = sink is null ? message.TrackProcessing() : null;
            try
            {
                await _handler(message, _disposing.Token).ConfigureAwait(false);
            }
            catch (Exception e) when (sink is not null)
            {
                // The caller gets the error and the request is done with; a one-way call goes back to the queue instead.
                RabbitMqLog.RequestDeliveryFailed(logger, message.ToString(), Partition, e);
                sink.SetException(e);
                return Task.CompletedTask;
            }
            catch (Exception e)
            {
                return Task.FromException(e);
            }

            // A request is settled by its reply (the caller times out if this silo dies first), so it is acknowledged
            // once taken; a one-way call when its turn has run and what it wrote is stored.
            return processed is null ? Task.CompletedTask : SettleAsync(processed);
        }

        // A batch of one-way calls: each is taken in order like a message of its own; the delivery is acknowledged when
        // every call's turn has run and its effect is stored, and requeued whole if any failed (the calls that had run
        // are dropped as duplicates when they come back).
        private async ValueTask<Task> DeliverBatchAsync(DeliveredMessage delivery)
        {
            var logger = _transport._logger;
            IReadOnlyList<ReadOnlyMemory<byte>> calls;
            try
            {
                calls = CallBatch.Split(delivery.Body);
            }
            catch (GrainWireException e)
            {
                RabbitMqLog.UndecodableCall(logger, Partition, false, e);
                return Task.CompletedTask;
            }

            var processed = new List<Task>(calls.Count);
            foreach (var payload in calls)
            {
                GrainCall call;
                try
                {
                    call = _transport._codec.Decode(payload.Span);
                }
                catch (GrainWireException e)
                {
                    RabbitMqLog.UndecodableCall(logger, Partition, false, e);
                    continue;
                }

                var owner = PartitionHash.PartitionOf(call.Target.Key, _transport._queues.PartitionCount);
                if (owner != Partition)
                {
                    RabbitMqLog.MisroutedCall(logger, $"{call.Target}.{call.Method.Name}", Partition, owner, false);
                    continue;
                }

                var message = call.ToMessage(null);
                processed.Add(message.TrackProcessing());
                try
                {
                    await _handler(message, _disposing.Token).ConfigureAwait(false);
                }
                catch (Exception e)
                {
                    // Not taken: its tracking fails, so the batch settles (requeued whole) instead of waiting forever.
                    message.MarkFailed(e);
                    break;
                }
            }

            return SettleAsync(Task.WhenAll(processed));
        }

        private async Task SettleAsync(Task processed)
        {
            await processed.ConfigureAwait(false);
            await _transport._effectsStored().ConfigureAwait(false);
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
