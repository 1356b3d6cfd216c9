using AccountGrains.Grains.Hosting;
using AccountGrains.Runtime.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace AccountGrains.Client.Tests.Support;

/// <summary>
/// An embedded silo (the real grains on a temp SQLite file, ingest idle), for tests of the client's own logic without
/// the throwaway servers: the client is built over the silo's grain factory and a <see cref="PausableStreams"/>.
/// </summary>
public sealed class EmbeddedSilo : IAsyncDisposable
{
    private readonly IHost _host;
    private readonly string _path;

    private EmbeddedSilo(IHost host, string path)
    {
        _host = host;
        _path = path;
        Streams = new PausableStreams(host.Services.GetRequiredService<IStreamProvider>());
    }

    public IGrainFactory Grains => _host.Services.GetRequiredService<IGrainFactory>();

    public PausableStreams Streams { get; }

    public static async Task<EmbeddedSilo> StartAsync(IDictionary<string, string?>? settings = null)
    {
        var path = Path.Combine(Path.GetTempPath(), $"accountgrains-client-{Guid.NewGuid():N}.db");
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["AccountGrains:Storage:SqlitePath"] = path,
            ["AccountGrains:Storage:FlushInterval"] = "00:00:00.010",
        });
        builder.Configuration.AddInMemoryCollection(settings ?? new Dictionary<string, string?>());
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        builder.Services.AddAccountGrainsSilo(builder.Configuration).AddAccountGrains(builder.Configuration, startIngest: false);
        var host = builder.Build();
        await host.StartAsync().OrHang();
        return new EmbeddedSilo(host, path);
    }

    public Task<ApplyOutcome> FeedAsync(AccountUpdate update) => Grains.Get<IAccountGrain>(update.Pubkey).ApplyAndReportAsync(update).OrHang();

    public async ValueTask DisposeAsync()
    {
        await _host.StopAsync();
        _host.Dispose();
        foreach (var file in new[] { _path, _path + "-wal", _path + "-shm" })
        {
            File.Delete(file);
        }
    }
}

/// <summary>
/// The silo's streams, made resumable by hand: <see cref="Pause"/> drops events on the floor as a broken broker
/// connection would, and <see cref="ReconnectAsync"/> ends that and raises <see cref="Resubscribed"/>.
/// </summary>
public sealed class PausableStreams(IStreamProvider inner) : IResumableStreamProvider
{
    private volatile bool _paused;

    public event Func<Task>? Resubscribed;

    public int ResubscribedHandlers => Resubscribed?.GetInvocationList().Length ?? 0;

    public void Pause() => _paused = true;

    public async Task ReconnectAsync()
    {
        _paused = false;
        if (Resubscribed is { } handlers)
        {
            await handlers();
        }
    }

    public ValueTask PublishAsync(StreamId stream, AccountChanged change, CancellationToken cancellationToken = default) =>
        inner.PublishAsync(stream, change, cancellationToken);

    public ValueTask<IAsyncDisposable> SubscribeAsync(StreamId stream, Func<AccountChanged, ValueTask> handler, CancellationToken cancellationToken = default) =>
        inner.SubscribeAsync(stream, change => _paused ? ValueTask.CompletedTask : handler(change), cancellationToken);

    public ValueTask PublishAsync(StreamId stream, WalletChanged change, CancellationToken cancellationToken = default) =>
        inner.PublishAsync(stream, change, cancellationToken);

    public ValueTask<IAsyncDisposable> SubscribeWalletAsync(StreamId stream, Func<WalletChanged, ValueTask> handler, CancellationToken cancellationToken = default) =>
        inner.SubscribeWalletAsync(stream, change => _paused ? ValueTask.CompletedTask : handler(change), cancellationToken);
}
