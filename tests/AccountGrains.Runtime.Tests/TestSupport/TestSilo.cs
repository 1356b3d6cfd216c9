using AccountGrains.Runtime.Catalog;
using AccountGrains.Runtime.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace AccountGrains.Runtime.Tests.TestSupport;

/// <summary>
/// An embedded silo for one test: a host with the test grains, SQLite in a temp directory and the runtime settings
/// the test asks for. Disposing stops the host (if still running) and deletes the directory.
/// </summary>
internal sealed class TestSilo : IAsyncDisposable
{
    private readonly TempDirectory _directory;
    private bool _stopped;

    private TestSilo(IHost host, TempDirectory directory)
    {
        Host = host;
        _directory = directory;
    }

    public IHost Host { get; }

    public IServiceProvider Services => Host.Services;

    public IGrainFactory Grains => Services.GetRequiredService<IGrainFactory>();

    public GrainCatalog Catalog => Services.GetRequiredService<GrainCatalog>();

    public TurnProbe Turns => Services.GetRequiredService<TurnProbe>();

    public CounterStore Counters => Services.GetRequiredService<CounterStore>();

    /// <summary>Builds and starts a silo. <paramref name="runtime"/> are <c>AccountGrains:Runtime:*</c> settings.</summary>
    public static Task<TestSilo> StartAsync(params (string Key, string Value)[] runtime) => StartAsync(configure: _ => { }, runtime);

    /// <summary>
    /// Builds and starts a silo; <paramref name="configure"/> runs before the silo's own registrations, so a service
    /// it adds (a transport) takes the place of the default.
    /// </summary>
    public static async Task<TestSilo> StartAsync(Action<IServiceCollection> configure, params (string Key, string Value)[] runtime)
    {
        ArgumentNullException.ThrowIfNull(configure);
        var directory = new TempDirectory();
        var settings = new Dictionary<string, string?>
        {
            ["AccountGrains:Storage:SqlitePath"] = Path.Combine(directory.Path, "silo.db"),
        };
        foreach (var (key, value) in runtime)
        {
            settings["AccountGrains:Runtime:" + key] = value;
        }

        var builder = Microsoft.Extensions.Hosting.Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        builder.Configuration.AddInMemoryCollection(settings);
        builder.Services.AddSingleton<TurnProbe>();
        builder.Services.AddSingleton<CounterStore>();
        configure(builder.Services);
        builder.Services.AddAccountGrainsSilo(builder.Configuration)
            .AddGrain<ITurnGrain, TurnGrain>()
            .AddGrain<ICounterGrain, CounterGrain>()
            .AddGrain<IPinnedGrain, PinnedGrain>();
        var host = builder.Build();
        try
        {
            await host.StartAsync().WaitAsync(TimeSpan.FromSeconds(30));
        }
        catch
        {
            host.Dispose();
            directory.Dispose();
            throw;
        }

        return new TestSilo(host, directory);
    }

    public async Task StopAsync()
    {
        _stopped = true;
        await Host.StopAsync().WaitAsync(TimeSpan.FromSeconds(30));
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            if (!_stopped)
            {
                await StopAsync();
            }
        }
        finally
        {
            Host.Dispose();
            _directory.Dispose();
        }
    }
}
