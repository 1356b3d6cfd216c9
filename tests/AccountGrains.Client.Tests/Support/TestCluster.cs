using System.Globalization;
using AccountGrains.Client.Cluster;
using AccountGrains.Grains.Hosting;
using AccountGrains.Runtime.Hosting;
using AccountGrains.Runtime.Hosting.Cluster;
using AccountGrains.Runtime.Transport.RabbitMq;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace AccountGrains.Client.Tests.Support;

/// <summary>
/// One cluster for a test class, on the throwaway servers: a fresh PostgreSQL schema, a RabbitMQ name prefix of its
/// own, and one real cluster silo in this process (the grains of src/Grains, ingest idle: tests feed the account
/// grains through the silo's own grain factory). Short cluster timings, 8 partitions. Clients connect with
/// <see cref="ClientConfiguration"/>. Does nothing when the servers are not configured (the tests skip then).
/// </summary>
public sealed class TestCluster : IAsyncLifetime
{
    public const int PartitionCount = 8;

    private readonly PostgresSchema _schema = new();
    private IHost? _silo;

    public string ConnectionString => _schema.ConnectionString;

    public string RabbitMqUri { get; } = Environment.GetEnvironmentVariable(RabbitMqFactAttribute.UriVariable) ?? "";

    public string Prefix { get; } = "c" + Guid.NewGuid().ToString("N")[..12] + ".";

    public IServiceProvider SiloServices => (_silo ?? throw new InvalidOperationException("the servers are not configured")).Services;

    /// <summary>The silo's grain factory: how tests feed updates (as the ingest would) and look at grains directly.</summary>
    public IGrainFactory SiloGrains => SiloServices.GetRequiredService<IGrainFactory>();

    public ClusterSiloHost SiloHost => SiloServices.GetServices<IHostedService>().OfType<ClusterSiloHost>().Single();

    private static bool Configured =>
        PostgresTestDatabase.ConnectionString is not null && !string.IsNullOrEmpty(Environment.GetEnvironmentVariable(RabbitMqFactAttribute.UriVariable));

    public async Task InitializeAsync()
    {
        if (!Configured)
        {
            return;
        }

        await _schema.InitializeAsync();
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Configuration.AddInMemoryCollection(Common(RabbitMqUri));
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["AccountGrains:Cluster:Enabled"] = "true",
            ["AccountGrains:Cluster:LeaseDuration"] = "00:00:04",
            ["AccountGrains:Cluster:RenewInterval"] = "00:00:01",
            ["AccountGrains:Cluster:SafetyMargin"] = "00:00:01.5",
            ["AccountGrains:Storage:Provider"] = "Postgres",
            ["AccountGrains:Storage:ConnectionString"] = ConnectionString,
            ["AccountGrains:Storage:FlushInterval"] = "00:00:00.010",
        });
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        builder.Services.AddAccountGrainsSilo(builder.Configuration).AddAccountGrains(builder.Configuration, startIngest: false);
        _silo = builder.Build();
        await _silo.StartAsync().OrHang();
        await Waits.UntilAsync(() => SiloHost.Processing.Count == PartitionCount, $"the silo to process all {PartitionCount} partitions");
    }

    /// <summary>A client's configuration for this cluster: the keys a service would have in appsettings.json.</summary>
    public IConfiguration ClientConfiguration(string? rabbitMqUri = null, IDictionary<string, string?>? overrides = null)
    {
        var values = Common(rabbitMqUri ?? RabbitMqUri);
        values["AccountGrains:Cluster:ConnectionString"] = ConnectionString;
        values["AccountGrains:Client:ConnectTimeout"] = "00:00:20";
        foreach (var (key, value) in overrides ?? new Dictionary<string, string?>())
        {
            values[key] = value;
        }

        return new ConfigurationBuilder().AddInMemoryCollection(values).Build();
    }

    public Task<AccountGrainsClusterClient> ConnectAsync(ILoggerFactory? loggers = null) =>
        AccountGrainsClusterClient.ConnectAsync(ClientConfiguration(), loggers).OrHang();

    /// <summary>Feeds an update the way the ingest does, and waits until its grain has taken it.</summary>
    public Task<ApplyOutcome> FeedAsync(AccountUpdate update) => SiloGrains.Get<IAccountGrain>(update.Pubkey).ApplyAndReportAsync(update).OrHang();

    public async Task DisposeAsync()
    {
        if (_silo is not null)
        {
            await _silo.StopAsync().OrHang();
            _silo.Dispose();
            await DeleteBrokerPartsAsync();
        }

        await _schema.DisposeAsync();
    }

    private Dictionary<string, string?> Common(string rabbitMqUri) => new()
    {
        ["AccountGrains:Cluster:HeartbeatInterval"] = "00:00:00.5",
        ["AccountGrains:Cluster:DeadAfter"] = "00:00:03",
        ["AccountGrains:Runtime:PartitionCount"] = PartitionCount.ToString(CultureInfo.InvariantCulture),
        ["AccountGrains:RabbitMq:Uri"] = rabbitMqUri,
        ["AccountGrains:RabbitMq:Prefix"] = Prefix,
        ["AccountGrains:RabbitMq:QueueType"] = "Classic",
        ["AccountGrains:RabbitMq:CallTimeout"] = "00:00:05",
        ["AccountGrains:RabbitMq:ReconnectDelay"] = "00:00:00.5",
        ["AccountGrains:RabbitMq:MaxReconnectDelay"] = "00:00:01",
    };

    // The partition queues are durable: they would outlive the test on the shared broker.
    private async Task DeleteBrokerPartsAsync()
    {
        var options = new RabbitMqOptions { Uri = RabbitMqUri, Prefix = Prefix, QueueType = RabbitMqQueueType.Classic };
        await using var connection = await RabbitMqConnection.ConnectAsync(options).OrHang();
        var queues = await PartitionQueues.DeclareAsync(connection, PartitionCount);
        await queues.DeleteAsync();
        await queues.DisposeAsync();
        var bus = await EventBus.DeclareAsync(connection);
        await bus.DeleteAsync();
        await bus.DisposeAsync();
    }
}
