using AccountGrains.Runtime.Catalog;
using AccountGrains.Runtime.Messaging.Wire;
using AccountGrains.Runtime.Storage;
using AccountGrains.Runtime.Streams;
using AccountGrains.Runtime.Transport.RabbitMq;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace AccountGrains.Runtime.Hosting.Cluster;

/// <summary>
/// This process's RabbitMQ side of the cluster: one connection, the partition queues and the events exchange
/// (declared idempotently by every member), the grain transport and the stream provider over them. Opened by the
/// first hosted service that needs it (the silo host or the client host); <see cref="ClusterTransport"/> and
/// <see cref="ClusterStreamProvider"/> wait for it, so grain references can be handed out before it is open.
/// </summary>
public sealed class RabbitMqCluster : IAsyncDisposable
{
    private readonly RabbitMqOptions _options;
    private readonly int _partitionCount;
    private readonly IServiceProvider _services;
    private readonly ILoggerFactory _loggers;
    private readonly TaskCompletionSource<Parts> _ready = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly SemaphoreSlim _opening = new(1, 1);

    public RabbitMqCluster(IOptions<RabbitMqOptions> options, IOptions<Configuration.GrainRuntimeOptions> runtime, IServiceProvider services, ILoggerFactory loggers)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(runtime);
        _options = options.Value;
        _partitionCount = runtime.Value.PartitionCount;
        _services = services;
        _loggers = loggers;
    }

    /// <summary>Completes when the connection is open and the queues and exchange are declared.</summary>
    internal Task<Parts> Ready => _ready.Task;

    public bool IsOpen => _ready.Task.IsCompletedSuccessfully && _ready.Task.Result.Connection.IsOpen;

    /// <summary>Connects (retrying until <paramref name="cancellationToken"/> ends) and declares; idempotent.</summary>
    public async Task OpenAsync(CancellationToken cancellationToken)
    {
        await _opening.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (_ready.Task.IsCompleted)
            {
                return;
            }

            var connection = await RabbitMqConnection.ConnectAsync(
                _options, _loggers.CreateLogger<RabbitMqConnection>(), _services.GetService<RabbitMqMetrics>(), cancellationToken).ConfigureAwait(false);
            try
            {
                var queues = await PartitionQueues.DeclareAsync(connection, _partitionCount, cancellationToken).ConfigureAwait(false);
                var bus = await EventBus.DeclareAsync(connection, cancellationToken).ConfigureAwait(false);
                var types = _services.GetRequiredService<GrainTypeRegistry>();
                var codec = types.Interfaces.Count > 0 ? new GrainCallCodec(types) : new GrainCallCodec(ClientGrainInterfaces.All);

                // A silo acknowledges a one-way call once the write-behind has stored its effect; a client hosts no grains.
                var writeBehind = _services.GetService<AccountWriteBehind>();
                var transport = new RabbitMqTransport(
                    queues, codec, _options, _loggers.CreateLogger<RabbitMqTransport>(), writeBehind is null ? null : writeBehind.WhenStoredAsync);
                var streams = new RabbitMqStreamProvider(bus, _loggers.CreateLogger<RabbitMqStreamProvider>());
                _ready.TrySetResult(new Parts(connection, queues, bus, transport, streams));
            }
            catch
            {
                await connection.DisposeAsync().ConfigureAwait(false);
                throw;
            }
        }
        finally
        {
            _opening.Release();
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_ready.Task.IsCompletedSuccessfully)
        {
            var parts = _ready.Task.Result;
            await parts.Streams.DisposeAsync().ConfigureAwait(false);
            await parts.Transport.DisposeAsync().ConfigureAwait(false);
            await parts.Bus.DisposeAsync().ConfigureAwait(false);
            await parts.Queues.DisposeAsync().ConfigureAwait(false);
            await parts.Connection.DisposeAsync().ConfigureAwait(false);
        }
        else
        {
            _ready.TrySetException(new ObjectDisposedException(nameof(RabbitMqCluster), "the process stopped before RabbitMQ was reached"));
        }

        _opening.Dispose();
    }

    internal sealed record Parts(
        RabbitMqConnection Connection, PartitionQueues Queues, EventBus Bus, RabbitMqTransport Transport, RabbitMqStreamProvider Streams);
}
