using AccountGrains.Grains.Hosting;
using AccountGrains.Runtime.Catalog;
using AccountGrains.Runtime.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace AccountGrains.Grains.Tests;

/// <summary>An embedded silo with the real grains on a temp SQLite file; the ingest stays idle unless asked to start.</summary>
public sealed class TestSilo : IAsyncDisposable
{
    private readonly IHost _host;

    private TestSilo(IHost host, string databasePath)
    {
        _host = host;
        DatabasePath = databasePath;
    }

    public string DatabasePath { get; }

    public IServiceProvider Services => _host.Services;

    public IGrainFactory Grains => _host.Services.GetRequiredService<IGrainFactory>();

    public GrainCatalog Catalog => _host.Services.GetRequiredService<GrainCatalog>();

    public IStreamProvider Streams => _host.Services.GetRequiredService<IStreamProvider>();

    public static async Task<TestSilo> StartAsync(
        string? databasePath = null,
        IDictionary<string, string?>? settings = null,
        bool startIngest = false,
        Action<IServiceCollection>? configure = null)
    {
        databasePath ??= Path.Combine(Path.GetTempPath(), $"accountgrains-grains-{Guid.NewGuid():N}.db");
        var builder = Host.CreateApplicationBuilder();
        var values = new Dictionary<string, string?>
        {
            ["AccountGrains:Storage:SqlitePath"] = databasePath,
            ["AccountGrains:Storage:FlushInterval"] = "00:00:00.010",
            ["Logging:LogLevel:Default"] = "Warning",
        };
        foreach (var (key, value) in settings ?? new Dictionary<string, string?>())
        {
            values[key] = value;
        }

        builder.Configuration.AddInMemoryCollection(values);
        builder.Services.AddAccountGrainsSilo(builder.Configuration).AddAccountGrains(builder.Configuration, startIngest);
        configure?.Invoke(builder.Services);
        var host = builder.Build();
        await host.StartAsync();
        return new TestSilo(host, databasePath);
    }

    public async ValueTask DisposeAsync()
    {
        await _host.StopAsync();
        _host.Dispose();
    }
}
