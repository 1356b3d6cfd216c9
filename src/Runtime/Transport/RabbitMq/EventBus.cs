using RabbitMQ.Client;

namespace AccountGrains.Runtime.Transport.RabbitMq;

/// <summary>
/// Grain streams across the cluster: one durable topic exchange <c>accountgrains.events</c> (after
/// <see cref="RabbitMqOptions.Prefix"/>) with routing keys <c>account.&lt;pubkey&gt;</c>, <c>program.&lt;owner&gt;</c>,
/// <c>wallet.&lt;address&gt;</c>. Each gateway process subscribes once (<see cref="SubscribeAsync"/>) and binds one key
/// per stream its sockets want, however many sockets want it.
/// </summary>
public sealed class EventBus : IRestorable, IAsyncDisposable
{
    public const string ExchangeLocalName = "accountgrains.events";

    private readonly RabbitMqConnection _connection;
    private readonly ConfirmingPublisher _publisher;

    private EventBus(RabbitMqConnection connection)
    {
        _connection = connection;
        Exchange = connection.Name(ExchangeLocalName);
        _publisher = new ConfirmingPublisher(connection, "event publisher of " + Exchange);
    }

    public string Exchange { get; }

    public string Part => "events exchange " + Exchange;

    /// <summary>Declares the exchange (idempotent) and keeps it declared across reconnects.</summary>
    public static async Task<EventBus> DeclareAsync(RabbitMqConnection connection, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(connection);
        var bus = new EventBus(connection);
        try
        {
            await bus.DeclareExchangeAsync(cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            await bus.DisposeAsync().ConfigureAwait(false);
            throw;
        }

        connection.Register(bus);
        return bus;
    }

    /// <summary>
    /// Publishes an event; completes when the broker has taken it (routed to the subscribers bound to the key, or
    /// to none). Events are not persistent: subscribers' queues live only as long as their gateway's connection, and
    /// a subscriber that comes back re-reads the current state instead.
    /// </summary>
    public Task PublishEventAsync(string routingKey, ReadOnlyMemory<byte> body)
    {
        EventSubscriber.ValidateKey(routingKey);
        return _publisher.PublishAsync(Exchange, routingKey, new BasicProperties { Persistent = false }, body, mandatory: false);
    }

    /// <summary>
    /// Opens this process's subscriber: one exclusive, auto-delete queue bound to nothing yet. Events reach
    /// <paramref name="callback"/> one at a time in the order the queue holds them, so in publish order per key.
    /// </summary>
    public async Task<EventSubscriber> SubscribeAsync(Func<EventDelivery, Task> callback, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(callback);
        var subscriber = new EventSubscriber(_connection, Exchange, callback);
        await subscriber.StartAsync(cancellationToken).ConfigureAwait(false);
        return subscriber;
    }

    /// <summary>Deletes the exchange (tests, tear-down).</summary>
    public async Task DeleteAsync(CancellationToken cancellationToken = default)
    {
        _connection.Unregister(this);
        var channel = await _connection.CreateChannelAsync(confirms: false, cancellationToken).ConfigureAwait(false);
        try
        {
            await channel.ExchangeDeleteAsync(Exchange, ifUnused: false, cancellationToken: cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            await ChannelCloser.CloseQuietlyAsync(channel).ConfigureAwait(false);
        }
    }

    Task IRestorable.RestoreAsync(CancellationToken cancellationToken) => DeclareExchangeAsync(cancellationToken);

    private async Task DeclareExchangeAsync(CancellationToken cancellationToken)
    {
        var channel = await _connection.CreateChannelAsync(confirms: false, cancellationToken).ConfigureAwait(false);
        try
        {
            await channel.ExchangeDeclareAsync(Exchange, ExchangeType.Topic, durable: true, autoDelete: false, cancellationToken: cancellationToken)
                .ConfigureAwait(false);
        }
        finally
        {
            await ChannelCloser.CloseQuietlyAsync(channel).ConfigureAwait(false);
        }
    }

    public async ValueTask DisposeAsync()
    {
        _connection.Unregister(this);
        await _publisher.DisposeAsync().ConfigureAwait(false);
    }
}

/// <summary>One event: its routing key (<c>account.&lt;pubkey&gt;</c>, ...) and payload.</summary>
public sealed record EventDelivery(string RoutingKey, ReadOnlyMemory<byte> Body);
