using Microsoft.Extensions.Hosting;

namespace AccountGrains.Grains.Hosting;

/// <summary>
/// Starts the ingest once the silo runs, and stops it first on the way down so every update it read is handed to
/// a grain before the silo drains. Registered after the silo: hosted services stop in reverse order.
/// </summary>
internal sealed class IngestStarter(IGrainFactory grains) : IHostedService
{
    private IGeyserIngestGrain Ingest => grains.Get<IGeyserIngestGrain>(IGeyserIngestGrain.DefaultKey);

    public Task StartAsync(CancellationToken cancellationToken) => Ingest.StartAsync();

    public Task StopAsync(CancellationToken cancellationToken) => Ingest.StopAsync().WaitAsync(cancellationToken);
}
