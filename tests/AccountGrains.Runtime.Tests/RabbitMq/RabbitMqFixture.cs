using AccountGrains.Runtime.Transport.RabbitMq;
using AccountGrains.Testing;

namespace AccountGrains.Runtime.Tests.RabbitMq;

/// <summary>
/// One test's corner of the throwaway broker: options with a unique name prefix (<c>t&lt;guid&gt;.</c>), a connection,
/// and the parts the test declared, deleted again at the end.
/// </summary>
internal sealed class RabbitMqScope : IAsyncDisposable
{
    private readonly List<Func<Task>> _cleanup = [];

    private RabbitMqScope(RabbitMqOptions options, RabbitMqConnection connection)
    {
        Options = options;
        Connection = connection;
    }

    public RabbitMqOptions Options { get; }

    public RabbitMqConnection Connection { get; }

    public static RabbitMqOptions NewOptions(RabbitMqQueueType queueType) => new()
    {
        Uri = Environment.GetEnvironmentVariable(RabbitMqFactAttribute.UriVariable)!,
        Prefix = "t" + Guid.NewGuid().ToString("N")[..12] + ".",
        QueueType = queueType,
        ReconnectDelay = TimeSpan.FromMilliseconds(500),
        MaxReconnectDelay = TimeSpan.FromSeconds(2),
        ConfirmTimeout = TimeSpan.FromSeconds(30),
    };

    public static async Task<RabbitMqScope> StartAsync(RabbitMqQueueType queueType = RabbitMqQueueType.Quorum, Action<RabbitMqOptions>? configure = null)
    {
        var options = NewOptions(queueType);
        configure?.Invoke(options);
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var connection = await RabbitMqConnection.ConnectAsync(options, cancellationToken: timeout.Token);
        return new RabbitMqScope(options, connection);
    }

    /// <summary>A proxy in front of the broker, for a test that cuts a connection (<see cref="TcpProxy.Break"/>).</summary>
    public TcpProxy ProxyToBroker()
    {
        var broker = new Uri(Options.Uri);
        return new TcpProxy(broker.Host, broker.Port);
    }

    /// <summary>Options for a connection of this scope (same prefix, so the same exchange and queues) through <paramref name="proxy"/>.</summary>
    public RabbitMqOptions OptionsThrough(TcpProxy proxy)
    {
        var options = NewOptions(Options.QueueType);
        options.Prefix = Options.Prefix;
        options.Uri = new UriBuilder(new Uri(Options.Uri)) { Port = proxy.Port }.Uri.ToString();
        return options;
    }

    public async Task<PartitionQueues> PartitionsAsync(int count)
    {
        var queues = await PartitionQueues.DeclareAsync(Connection, count);
        _cleanup.Add(async () =>
        {
            await queues.DeleteAsync();
            await queues.DisposeAsync();
        });
        return queues;
    }

    public async Task<EventBus> EventsAsync()
    {
        var bus = await EventBus.DeclareAsync(Connection);
        _cleanup.Add(async () =>
        {
            await bus.DeleteAsync();
            await bus.DisposeAsync();
        });
        return bus;
    }

    public async ValueTask DisposeAsync()
    {
        for (var i = _cleanup.Count - 1; i >= 0; i--)
        {
            try
            {
                await _cleanup[i]();
            }
            catch (Exception e)
            {
                Console.Error.WriteLine("rabbitmq test clean-up: " + e.Message);
            }
        }

        await Connection.DisposeAsync();
    }
}

/// <summary>rabbitmqctl against the throwaway node, through scripts/test-servers.sh.</summary>
internal static class Broker
{
    public static Task RabbitMqCtlAsync(params string[] arguments) => AccountGrains.Testing.Servers.TestServers.RabbitMqCtlAsync(arguments);
}
