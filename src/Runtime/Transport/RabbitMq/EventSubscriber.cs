using System.Threading.Channels;
using RabbitMQ.Client;
using RabbitMQ.Client.Events;

namespace AccountGrains.Runtime.Transport.RabbitMq;

/// <summary>
/// A gateway's subscription to the events exchange: one exclusive auto-delete queue and one binding per key, counted
/// (the first <see cref="BindAsync"/> of a key binds, the last <see cref="UnbindAsync"/> unbinds). Events of keys no
/// longer bound that were already queued are dropped, so the callback only sees bound keys. After a reconnect the
/// queue and every binding are declared again and <see cref="Restored"/> is raised: events published meanwhile are
/// lost for this subscriber, so a gateway re-reads the current state of its keys.
/// </summary>
public sealed class EventSubscriber : IRestorable, IAsyncDisposable
{
    private readonly RabbitMqConnection _connection;
    private readonly string _exchange;
    private readonly Func<EventDelivery, Task> _callback;
    private readonly Dictionary<string, int> _bindings = new(StringComparer.Ordinal);
    private readonly SemaphoreSlim _lock = new(1, 1);
    private readonly Channel<(IChannel Channel, ulong Tag, EventDelivery Event)> _events =
        System.Threading.Channels.Channel.CreateUnbounded<(IChannel, ulong, EventDelivery)>(new UnboundedChannelOptions { SingleReader = true });
    private readonly Task _loop;
    private volatile HashSet<string> _bound = new(StringComparer.Ordinal);
    private IChannel? _channel;
    private int _disposed;

    internal EventSubscriber(RabbitMqConnection connection, string exchange, Func<EventDelivery, Task> callback)
    {
        _connection = connection;
        _exchange = exchange;
        _callback = callback;
        Queue = connection.Name("gateway." + Guid.NewGuid().ToString("N"));
        _loop = Task.Run(RunAsync);
    }

    /// <summary>The subscriber's own queue (named by us, so it keeps its name across reconnects).</summary>
    public string Queue { get; }

    /// <summary>Raised after a reconnect once the queue and all bindings are back (see the class comment).</summary>
    public event Func<Task>? Restored;

    public string Part => "event subscriber " + Queue;

    /// <summary>The keys bound now.</summary>
    public IReadOnlyCollection<string> BoundKeys => _bound;

    internal async Task StartAsync(CancellationToken cancellationToken)
    {
        await OpenAsync(cancellationToken).ConfigureAwait(false);
        _connection.Register(this);
    }

    /// <summary>Adds one reference to <paramref name="routingKey"/>; the first one binds it.</summary>
    public async Task BindAsync(string routingKey, CancellationToken cancellationToken = default)
    {
        ValidateKey(routingKey);
        await _lock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var count = _bindings.GetValueOrDefault(routingKey);
            if (count == 0)
            {
                await OpenChannel().QueueBindAsync(Queue, _exchange, routingKey, cancellationToken: cancellationToken).ConfigureAwait(false);
                _bound = new HashSet<string>(_bound, StringComparer.Ordinal) { routingKey };
            }

            _bindings[routingKey] = count + 1;
        }
        finally
        {
            _lock.Release();
        }
    }

    /// <summary>Drops one reference to <paramref name="routingKey"/>; the last one unbinds it. Unknown keys are ignored.</summary>
    public async Task UnbindAsync(string routingKey, CancellationToken cancellationToken = default)
    {
        ValidateKey(routingKey);
        await _lock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (!_bindings.TryGetValue(routingKey, out var count))
            {
                return;
            }

            if (count > 1)
            {
                _bindings[routingKey] = count - 1;
                return;
            }

            // Filter first: events of this key already in the queue are dropped from now on.
            var bound = new HashSet<string>(_bound, StringComparer.Ordinal);
            bound.Remove(routingKey);
            _bound = bound;
            _bindings.Remove(routingKey);
            await OpenChannel().QueueUnbindAsync(Queue, _exchange, routingKey, cancellationToken: cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _lock.Release();
        }
    }

    /// <summary>Routing keys are exact (<c>account.&lt;pubkey&gt;</c>): wildcards would defeat the per-key counting and filtering.</summary>
    internal static void ValidateKey(string routingKey)
    {
        ArgumentException.ThrowIfNullOrEmpty(routingKey);
        if (routingKey.Length > 255 || routingKey.Contains('*', StringComparison.Ordinal) || routingKey.Contains('#', StringComparison.Ordinal))
        {
            throw new ArgumentException($"routing key '{routingKey}' must be an exact key of at most 255 characters, without '*' or '#'", nameof(routingKey));
        }
    }

    async Task IRestorable.RestoreAsync(CancellationToken cancellationToken)
    {
        await _lock.WaitAsync(cancellationToken).ConfigureAwait(false);
        int count;
        try
        {
            await OpenAsync(cancellationToken).ConfigureAwait(false);
            foreach (var key in _bindings.Keys)
            {
                await OpenChannel().QueueBindAsync(Queue, _exchange, key, cancellationToken: cancellationToken).ConfigureAwait(false);
            }

            count = _bindings.Count;
        }
        finally
        {
            _lock.Release();
        }

        RabbitMqLog.SubscriberRestored(_connection.Logger, Queue, count);
        if (Restored is { } restored)
        {
            await restored().ConfigureAwait(false);
        }
    }

    private IChannel OpenChannel() => _channel ?? throw new InvalidOperationException("the event subscriber is not open");

    private async Task OpenAsync(CancellationToken cancellationToken)
    {
        if (_channel is { } old)
        {
            await ChannelCloser.CloseQuietlyAsync(old).ConfigureAwait(false);
        }

        var channel = await _connection.CreateChannelAsync(confirms: false, cancellationToken).ConfigureAwait(false);
        try
        {
            await channel.QueueDeclareAsync(Queue, durable: false, exclusive: true, autoDelete: true, cancellationToken: cancellationToken)
                .ConfigureAwait(false);
            await channel.BasicQosAsync(0, (ushort)_connection.Options.Prefetch, global: false, cancellationToken).ConfigureAwait(false);
            var consumer = new AsyncEventingBasicConsumer(channel);
            consumer.ReceivedAsync += (_, args) => OnReceivedAsync(channel, args);
            await channel.BasicConsumeAsync(Queue, autoAck: false, consumer, cancellationToken).ConfigureAwait(false);
            _channel = channel;
        }
        catch
        {
            await ChannelCloser.CloseQuietlyAsync(channel).ConfigureAwait(false);
            throw;
        }
    }

    private Task OnReceivedAsync(IChannel channel, BasicDeliverEventArgs args)
    {
        _events.Writer.TryWrite((channel, args.DeliveryTag, new EventDelivery(args.RoutingKey, args.Body.ToArray())));
        return Task.CompletedTask;
    }

    private async Task RunAsync()
    {
        await foreach (var (channel, tag, delivery) in _events.Reader.ReadAllAsync().ConfigureAwait(false))
        {
            if (_bound.Contains(delivery.RoutingKey))
            {
                try
                {
                    await _callback(delivery).ConfigureAwait(false);
                }
#pragma warning disable CA1031 // one failing callback must not stop the other keys' events
                catch (Exception e)
#pragma warning restore CA1031
                {
                    RabbitMqLog.EventCallbackFailed(_connection.Logger, delivery.RoutingKey, e);
                }
            }

            try
            {
                if (channel.IsOpen)
                {
                    await channel.BasicAckAsync(tag, multiple: false).ConfigureAwait(false);
                }
            }
#pragma warning disable CA1031 // the queue died with its channel's connection: nothing to acknowledge any more
            catch (Exception)
#pragma warning restore CA1031
            {
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1)
        {
            return;
        }

        _connection.Unregister(this);
        _events.Writer.TryComplete();
        if (_channel is { } channel)
        {
            // Closing the channel does not delete an exclusive queue (its connection does); delete it now.
            try
            {
                if (channel.IsOpen)
                {
                    await channel.QueueDeleteAsync(Queue, ifUnused: false, ifEmpty: false).ConfigureAwait(false);
                }
            }
#pragma warning disable CA1031
            catch (Exception)
#pragma warning restore CA1031
            {
            }

            await ChannelCloser.CloseQuietlyAsync(channel).ConfigureAwait(false);
        }

        await _loop.ConfigureAwait(false);
        _lock.Dispose();
    }
}
