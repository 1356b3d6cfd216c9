using System.Net.Http.Json;
using System.Text.Json;
using AccountGrains.Gateway.Hosting;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace AccountGrains.Gateway.Tests.Support;

/// <summary>
/// The real gateway process in embedded mode on a free loopback port, with its own SQLite file. The ingest replays
/// <c>replayPath</c> (an empty file when none, so tests feed grains themselves).
/// </summary>
public sealed class EmbeddedGateway : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly string? _ownedDirectory;

    private EmbeddedGateway(WebApplication app, string databasePath, string? ownedDirectory)
    {
        _app = app;
        DatabasePath = databasePath;
        _ownedDirectory = ownedDirectory;
        BaseAddress = new Uri(app.Addresses().First());
        Http = new HttpClient { BaseAddress = BaseAddress };
    }

    public Uri BaseAddress { get; }

    public Uri WebSocketAddress => new($"ws://{BaseAddress.Authority}/ws");

    public HttpClient Http { get; }

    public string DatabasePath { get; }

    public IServiceProvider Services => _app.Services;

    public IGrainFactory Grains => _app.Services.GetRequiredService<IGrainFactory>();

    public static async Task<EmbeddedGateway> StartAsync(
        string? replayPath = null,
        double updatesPerSecond = 0,
        string? databasePath = null,
        IDictionary<string, string?>? settings = null)
    {
        string? owned = null;
        if (databasePath is null || replayPath is null)
        {
            owned = Path.Combine(Path.GetTempPath(), "accountgrains-gw-" + Guid.NewGuid().ToString("N"));
            Directory.CreateDirectory(owned);
        }

        databasePath ??= Path.Combine(owned!, "state.db");
        if (replayPath is null)
        {
            replayPath = Path.Combine(owned!, "empty.jsonl");
            await File.WriteAllTextAsync(replayPath, string.Empty);
        }

        var values = new Dictionary<string, string?>
        {
            ["AccountGrains:Ingest:Replay:Path"] = replayPath,
            ["AccountGrains:Ingest:Replay:UpdatesPerSecond"] = updatesPerSecond.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["AccountGrains:Ingest:Replay:Loop"] = "false",
            ["AccountGrains:Storage:SqlitePath"] = databasePath,
            ["AccountGrains:Storage:FlushInterval"] = "00:00:00.010",
            ["Logging:LogLevel:Default"] = "Warning",
        };
        foreach (var (key, value) in settings ?? new Dictionary<string, string?>())
        {
            values[key] = value;
        }

        var app = GatewayApp.Create(["--urls", "http://127.0.0.1:0"], builder => builder.Configuration.AddInMemoryCollection(values));
        await app.StartAsync();
        return new EmbeddedGateway(app, databasePath, owned);
    }

    public async Task<TestSocket> ConnectAsync() => await TestSocket.ConnectAsync(WebSocketAddress);

    public async Task<IngestStatus> WaitForIngestToCompleteAsync(TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        var ingest = Grains.Get<IGeyserIngestGrain>(IGeyserIngestGrain.DefaultKey);
        while (true)
        {
            var status = await ingest.GetStatusAsync();
            if (status.Completed || status.LastError is not null)
            {
                return status;
            }

            await Task.Delay(20, cts.Token);
        }
    }

    public async Task<JsonElement> GetJsonAsync(string path) => await Http.GetFromJsonAsync<JsonElement>(path);

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        await _app.StopAsync();
        await _app.DisposeAsync();
        if (_ownedDirectory is not null)
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            try
            {
                Directory.Delete(_ownedDirectory, recursive: true);
            }
            catch (IOException)
            {
                // A pooled handle may outlive the host briefly; the temp dir is only litter.
            }
        }
    }
}
