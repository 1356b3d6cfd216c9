using System.Diagnostics;
using AccountGrains.Runtime.Catalog;
using AccountGrains.Runtime.Configuration;
using AccountGrains.Runtime.Storage;
using AccountGrains.Runtime.Transport;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace AccountGrains.Runtime.Hosting;

/// <summary>
/// Runs this process's silo: prepares storage, owns partitions (all of them in embedded mode) and delivers their
/// messages to the catalog, collects idle activations, and on stop lets queued messages run, deactivates every
/// activation and writes what is still waiting.
/// </summary>
public sealed class SiloHost(
    IAccountStore store,
    AccountWriteBehind writeBehind,
    IMessageTransport transport,
    GrainCatalog catalog,
    IOptions<GrainRuntimeOptions> options,
    ILogger<SiloHost> logger) : IHostedService, IDisposable
{
    private readonly List<IPartitionConsumer> _consumers = [];
    private readonly CancellationTokenSource _stopping = new();
    private Task _collector = Task.CompletedTask;

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var version = await store.MigrateAsync(cancellationToken).ConfigureAwait(false);
        RuntimeLog.StorageReady(logger, store.GetType().Name, store.Describe, version);
        writeBehind.Start();
        for (var partition = 0; partition < options.Value.PartitionCount; partition++)
        {
            _consumers.Add(transport.Consume(partition, catalog.DeliverAsync));
        }

        _collector = catalog.RunCollectorAsync(_stopping.Token);
        RuntimeLog.SiloStarted(logger, _consumers.Count, transport.GetType().Name);
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        var started = Stopwatch.GetTimestamp();
        await _stopping.CancelAsync().ConfigureAwait(false);
        await _collector.ConfigureAwait(false);
        await Task.WhenAll(_consumers.Select(c => c.DrainAsync(cancellationToken))).ConfigureAwait(false);
        var activations = catalog.ActivationCount;
        await catalog.DeactivateAllAsync(cancellationToken).ConfigureAwait(false);
        await writeBehind.DisposeAsync().ConfigureAwait(false);
        foreach (var consumer in _consumers)
        {
            await consumer.DisposeAsync().ConfigureAwait(false);
        }

        RuntimeLog.SiloStopped(logger, activations, (long)Stopwatch.GetElapsedTime(started).TotalMilliseconds);
    }

    public void Dispose() => _stopping.Dispose();
}
