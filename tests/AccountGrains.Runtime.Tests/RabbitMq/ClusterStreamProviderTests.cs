using AccountGrains.Runtime.Catalog;
using AccountGrains.Runtime.Configuration;
using AccountGrains.Runtime.Hosting.Cluster;
using AccountGrains.Runtime.Tests.TestSupport;
using AccountGrains.Runtime.Transport.RabbitMq;
using AccountGrains.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace AccountGrains.Runtime.Tests.RabbitMq;

/// <summary>The stream provider of a cluster member over <see cref="RabbitMqCluster"/>, with the member's broker connection cut by a proxy.</summary>
[Collection(RabbitMqTestGroup.Name)]
public sealed class ClusterStreamProviderTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    [RabbitMqFact]
    public async Task After_a_reconnect_every_Resubscribed_handler_runs_and_each_failure_is_logged()
    {
        await using var scope = await RabbitMqScope.StartAsync(RabbitMqQueueType.Classic);
        await scope.PartitionsAsync(2); // declared here too, so the scope deletes them
        await scope.EventsAsync();
        await using var proxy = scope.ProxyToBroker();
        var options = scope.OptionsThrough(proxy);
        var log = new CapturingLogger();
        using var loggers = LoggerFactory.Create(b => b.AddProvider(new CapturingProvider(log)));
        await using var services = new ServiceCollection().AddSingleton(new GrainTypeRegistry([])).BuildServiceProvider();
        await using var cluster = new RabbitMqCluster(
            Microsoft.Extensions.Options.Options.Create(options),
            Microsoft.Extensions.Options.Options.Create(new GrainRuntimeOptions { PartitionCount = 2 }),
            services,
            loggers);
        await cluster.OpenAsync(CancellationToken.None).WaitAsync(Patience);
        var streams = new ClusterStreamProvider(cluster);

        var ran = new List<string>();
        streams.Resubscribed += async () =>
        {
            await Task.Yield();
            lock (ran)
            {
                ran.Add("async failing");
            }

            throw new InvalidOperationException("first handler failed late");
        };
        streams.Resubscribed += () =>
        {
            lock (ran)
            {
                ran.Add("sync failing");
            }

            throw new InvalidOperationException("second handler failed at once");
        };
        streams.Resubscribed += () =>
        {
            lock (ran)
            {
                ran.Add("last");
            }

            return Task.CompletedTask;
        };
        await using (await streams.SubscribeAsync(StreamId.ForAccount("K"), _ => ValueTask.CompletedTask).AsTask().WaitAsync(Patience))
        {
            proxy.Break();
            await Eventually.TrueAsync(() => !cluster.IsOpen, "the connection lost", Patience);
            proxy.Restore();

            await Eventually.TrueAsync(() => { lock (ran) { return ran.Count >= 2; } }, "the handlers", Patience);
            await Task.Delay(500);
            lock (ran)
            {
                ran.Should().BeEquivalentTo("async failing", "sync failing", "last");
            }

            await Eventually.TrueAsync(
                () => log.Lines.Any(l => l.Contains("first handler failed late", StringComparison.Ordinal))
                    && log.Lines.Any(l => l.Contains("second handler failed at once", StringComparison.Ordinal)),
                "both failures logged",
                Patience);
        }
    }

    private sealed class CapturingProvider(CapturingLogger logger) : ILoggerProvider
    {
        public ILogger CreateLogger(string categoryName) => logger;

        public void Dispose()
        {
        }
    }
}
