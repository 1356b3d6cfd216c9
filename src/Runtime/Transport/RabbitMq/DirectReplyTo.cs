using System.Collections.Concurrent;
using System.Globalization;
using RabbitMQ.Client;
using RabbitMQ.Client.Events;

namespace AccountGrains.Runtime.Transport.RabbitMq;

/// <summary>
/// Request/reply over RabbitMQ's direct reply-to: requests carry <c>reply_to = amq.rabbitmq.reply-to</c> and a
/// correlation id, published on the channel that consumes the pseudo-queue (the broker requires that), and the reply
/// comes straight back to this connection without a queue. A reply nobody waits for any more is dropped. Replies
/// from consumers go out on a separate channel of their own.
/// </summary>
internal sealed class DirectReplyTo : IRestorable, IAsyncDisposable
{
    private const string ReplyQueue = "amq.rabbitmq.reply-to";

    private readonly RabbitMqConnection _connection;
    private readonly ConcurrentDictionary<string, TaskCompletionSource<ReadOnlyMemory<byte>>> _pending = new();
    private readonly SemaphoreSlim _replyLock = new(1, 1);
    private IChannel? _requestChannel;
    private IChannel? _replyChannel;

    public DirectReplyTo(RabbitMqConnection connection)
    {
        _connection = connection;
    }

    public string Part => "direct reply-to consumer";

    public Task StartAsync(CancellationToken cancellationToken) => OpenAsync(cancellationToken);

    Task IRestorable.RestoreAsync(CancellationToken cancellationToken) => OpenAsync(cancellationToken);

    public async Task<ReadOnlyMemory<byte>> RequestAsync(
        int partition, string queue, ReadOnlyMemory<byte> body, TimeSpan timeout, IDictionary<string, object?>? headers, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(timeout, TimeSpan.Zero);
        var correlationId = Guid.NewGuid().ToString("N");
        var reply = new TaskCompletionSource<ReadOnlyMemory<byte>>(TaskCreationOptions.RunContinuationsAsynchronously);
        _pending[correlationId] = reply;
        try
        {
            var channel = _requestChannel ?? throw new InvalidOperationException("request/reply is not started");
            var properties = new BasicProperties
            {
                CorrelationId = correlationId,
                ReplyTo = ReplyQueue,
                Persistent = false,
                Headers = headers,
                Expiration = Math.Max(1, (long)timeout.TotalMilliseconds).ToString(CultureInfo.InvariantCulture),
            };
            using var sendTimeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            sendTimeout.CancelAfter(timeout);
            try
            {
                await channel.BasicPublishAsync("", queue, mandatory: false, properties, body, sendTimeout.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                throw Timeout(partition, queue, timeout, correlationId);
            }

            try
            {
                return await reply.Task.WaitAsync(timeout, cancellationToken).ConfigureAwait(false);
            }
            catch (TimeoutException)
            {
                throw Timeout(partition, queue, timeout, correlationId);
            }
        }
        finally
        {
            _pending.TryRemove(correlationId, out _);
        }
    }

    private TimeoutException Timeout(int partition, string queue, TimeSpan timeout, string correlationId) => new(
        $"request to partition {partition} (queue {queue}) got no reply within {timeout.TotalMilliseconds:0} ms "
        + $"(correlation id {correlationId}; connection {(_connection.IsOpen ? "open" : "recovering")}): is a consumer running for that partition?");

    /// <summary>Publishes a reply to a requester's direct reply-to address.</summary>
    public async Task ReplyAsync(string replyTo, string correlationId, ReadOnlyMemory<byte> body, CancellationToken cancellationToken)
    {
        var properties = new BasicProperties { CorrelationId = correlationId, Persistent = false };
        await _replyLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (_replyChannel is not { IsOpen: true })
            {
                if (_replyChannel is not null)
                {
                    await ChannelCloser.CloseQuietlyAsync(_replyChannel).ConfigureAwait(false);
                }

                _replyChannel = await _connection.CreateChannelAsync(confirms: false, cancellationToken).ConfigureAwait(false);
            }

            await _replyChannel.BasicPublishAsync("", replyTo, mandatory: false, properties, body, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _replyLock.Release();
        }
    }

    private async Task OpenAsync(CancellationToken cancellationToken)
    {
        var old = _requestChannel;
        if (old is not null)
        {
            await ChannelCloser.CloseQuietlyAsync(old).ConfigureAwait(false);
        }

        var channel = await _connection.CreateChannelAsync(confirms: false, cancellationToken).ConfigureAwait(false);
        try
        {
            var consumer = new AsyncEventingBasicConsumer(channel);
            consumer.ReceivedAsync += OnReplyAsync;
            await channel.BasicConsumeAsync(ReplyQueue, autoAck: true, consumer, cancellationToken).ConfigureAwait(false);
            _requestChannel = channel;
        }
        catch
        {
            await ChannelCloser.CloseQuietlyAsync(channel).ConfigureAwait(false);
            throw;
        }
    }

    private Task OnReplyAsync(object sender, BasicDeliverEventArgs args)
    {
        var correlationId = args.BasicProperties.CorrelationId;
        if (correlationId is not null && _pending.TryRemove(correlationId, out var reply))
        {
            reply.TrySetResult(args.Body.ToArray());
        }
        else
        {
            RabbitMqLog.LateReplyDropped(_connection.Logger, correlationId ?? "(none)");
        }

        return Task.CompletedTask;
    }

    public async ValueTask DisposeAsync()
    {
        if (_requestChannel is { } request)
        {
            await ChannelCloser.CloseQuietlyAsync(request).ConfigureAwait(false);
        }

        if (_replyChannel is { } reply)
        {
            await ChannelCloser.CloseQuietlyAsync(reply).ConfigureAwait(false);
        }

        _replyLock.Dispose();
    }
}
