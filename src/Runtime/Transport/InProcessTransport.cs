using System.Threading.Channels;
using AccountGrains.Runtime.Configuration;
using AccountGrains.Runtime.Messaging;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace AccountGrains.Runtime.Transport;

/// <summary>
/// The embedded transport: one bounded channel per partition, consumed by one loop each. A full partition makes
/// senders wait, which carries back-pressure from a slow grain to the ingest.
/// </summary>
public sealed class InProcessTransport : IMessageTransport
{
    private readonly Channel<GrainMessage>[] _partitions;
    private readonly ILogger<InProcessTransport> _logger;

    public InProcessTransport(IOptions<GrainRuntimeOptions> options, ILogger<InProcessTransport> logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        _logger = logger;
        var settings = options.Value;
        _partitions = new Channel<GrainMessage>[settings.PartitionCount];
        for (var i = 0; i < _partitions.Length; i++)
        {
            _partitions[i] = Channel.CreateBounded<GrainMessage>(new BoundedChannelOptions(settings.PartitionQueueCapacity)
            {
                SingleReader = true,
                FullMode = BoundedChannelFullMode.Wait,
            });
        }
    }

    public ValueTask SendAsync(int partition, GrainMessage message, CancellationToken cancellationToken = default)
    {
        var writer = _partitions[partition].Writer;
        return writer.TryWrite(message) ? ValueTask.CompletedTask : WaitAndSendAsync(writer, partition, message, cancellationToken);
    }

    private static async ValueTask WaitAndSendAsync(ChannelWriter<GrainMessage> writer, int partition, GrainMessage message, CancellationToken cancellationToken)
    {
        try
        {
            await writer.WriteAsync(message, cancellationToken).ConfigureAwait(false);
        }
        catch (ChannelClosedException e)
        {
            throw new InvalidOperationException($"partition {partition} is not accepting messages: the silo is stopping ({message} was not sent)", e);
        }
    }

    public IPartitionConsumer Consume(int partition, Func<GrainMessage, CancellationToken, ValueTask> handler) =>
        new Consumer(partition, _partitions[partition], handler, _logger);

    public ValueTask DisposeAsync()
    {
        foreach (var partition in _partitions)
        {
            partition.Writer.TryComplete();
        }

        return ValueTask.CompletedTask;
    }

    private sealed class Consumer : IPartitionConsumer
    {
        private readonly Channel<GrainMessage> _channel;
        private readonly Func<GrainMessage, CancellationToken, ValueTask> _handler;
        private readonly ILogger _logger;
        private readonly CancellationTokenSource _stop = new();
        private readonly Task _loop;

        public Consumer(int partition, Channel<GrainMessage> channel, Func<GrainMessage, CancellationToken, ValueTask> handler, ILogger logger)
        {
            Partition = partition;
            _channel = channel;
            _handler = handler;
            _logger = logger;
            _loop = Task.Run(RunAsync);
        }

        public int Partition { get; }

        /// <summary>Stops the loop after the message in hand; what is queued stays in the channel.</summary>
        public void Fence() => _stop.Cancel();

        public async Task DrainAsync(CancellationToken cancellationToken)
        {
            // Refuse new messages (a sender gets ChannelClosedException rather than a message nobody will read),
            // then let the loop deliver what is queued and end.
            _channel.Writer.TryComplete();
            await _loop.WaitAsync(cancellationToken).ConfigureAwait(false);
        }

        public async ValueTask DisposeAsync()
        {
            await _stop.CancelAsync().ConfigureAwait(false);
            await _loop.ConfigureAwait(false);
            _stop.Dispose();
        }

        private async Task RunAsync()
        {
            var reader = _channel.Reader;
            try
            {
                while (await reader.WaitToReadAsync(_stop.Token).ConfigureAwait(false))
                {
                    while (reader.TryRead(out var message))
                    {
                        await DeliverAsync(message).ConfigureAwait(false);
                    }
                }
            }
            catch (OperationCanceledException) when (_stop.IsCancellationRequested)
            {
                // Disposed without draining: what is queued stays in the channel.
            }
        }

        private async ValueTask DeliverAsync(GrainMessage message)
        {
            try
            {
                await _handler(message, CancellationToken.None).ConfigureAwait(false);
            }
            catch (Exception e)
            {
                message.Response?.SetException(e);
                RuntimeLog.DeliveryFailed(_logger, message.Target, Partition, e);
            }
        }
    }
}
