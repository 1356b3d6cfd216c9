using AccountGrains.Gateway.Configuration;
using AccountGrains.Gateway.Diagnostics;
using AccountGrains.Gateway.Native;
using AccountGrains.Gateway.Rest;
using AccountGrains.Gateway.Subscriptions;
using AccountGrains.Gateway.Wallets;
using AccountGrains.Grains.Hosting;
using AccountGrains.Grains.Ingest;
using System.Diagnostics.Metrics;
using AccountGrains.Runtime.Diagnostics.Prometheus;
using AccountGrains.Runtime.Hosting;
using AccountGrains.Runtime.Hosting.Cluster;
using AccountGrains.Runtime.Storage;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;

namespace AccountGrains.Gateway.Hosting;

/// <summary>
/// Builds the gateway process. With no cluster configured it is the embedded mode: the silo, the grains and the
/// ingest all run in this process on SQLite, so <c>dotnet run --project src/Gateway</c> needs no server.
/// </summary>
public static class GatewayApp
{
    public const string DefaultUrl = "http://127.0.0.1:8080";

    public static WebApplication Create(string[] args, Action<WebApplicationBuilder>? configure = null)
    {
        var builder = WebApplication.CreateBuilder(args);
        if (string.IsNullOrEmpty(builder.Configuration[WebHostDefaults.ServerUrlsKey]))
        {
            builder.WebHost.UseUrls(DefaultUrl);
        }

        var cluster = ClusterServiceCollectionExtensions.IsClusterEnabled(builder.Configuration);
        if (cluster)
        {
            // A cluster gateway hosts no grains: it calls the silos' grains over RabbitMQ and follows their streams.
            builder.Services.AddAccountGrainsClient(builder.Configuration);
            builder.Services.AddOptions<IngestOptions>().Bind(builder.Configuration.GetSection(IngestOptions.SectionName));
        }
        else
        {
            builder.Services.AddAccountGrainsSilo(builder.Configuration).AddAccountGrains(builder.Configuration);
        }

        builder.Services.AddOptions<GatewayOptions>().Bind(builder.Configuration.GetSection(GatewayOptions.SectionName)).ValidateOnStart();
        builder.Services.AddSingleton<IValidateOptions<GatewayOptions>, GatewayOptionsValidator>();
        builder.Services.AddSingleton<GatewayMetrics>();
        builder.Services.AddSingleton<AccountSubscriptionHub>();
        builder.Services.AddSingleton<WalletSubscriptionHub>();
        builder.Services.AddSingleton<UpstreamStatus>();
        builder.Services.AddSingleton<TrackedWallets>();
        builder.Services.AddSingleton<NativeServices>();
        builder.Services.AddHealthChecks()
            .AddCheck<IngestHealthCheck>("ingest")
            .AddCheck<ReadyCheck>("ready", tags: [ReadyCheck.Tag]);
        builder.Services.AddSingleton(sp => new PrometheusMetricsExporter(["AccountGrains"], sp.GetRequiredService<IMeterFactory>()));
        configure?.Invoke(builder);

        var app = builder.Build();
        var gateway = app.Services.GetRequiredService<IOptions<GatewayOptions>>().Value;
        var metrics = app.Services.GetRequiredService<PrometheusMetricsExporter>(); // listening from the start
        app.UseWebSockets(new WebSocketOptions { KeepAliveInterval = gateway.KeepAliveInterval });
        app.MapNativeWebSocket();
        app.MapAccountEndpoints();
        app.MapWalletEndpoints();
        app.MapIngestEndpoints();
        app.MapHealthChecks("/healthz");
        app.MapHealthChecks("/readyz", new Microsoft.AspNetCore.Diagnostics.HealthChecks.HealthCheckOptions { Predicate = c => c.Tags.Contains(ReadyCheck.Tag) });
        app.MapGet("/metrics", () => Results.Text(metrics.Scrape(), "text/plain; version=0.0.4; charset=utf-8"));
        app.MapFallback(() => AccountEndpoints.ErrorResult(StatusCodes.Status404NotFound, "not_found", "no such endpoint; see README.md for /ws, /v1/accounts/{pubkey}, /v1/wallets, /v1/interest, /v1/ingest, /healthz and /metrics"));

        app.Lifetime.ApplicationStarted.Register(() =>
        {
            var addresses = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()?.Addresses ?? [];
            GatewayLog.Listening(
                app.Services.GetRequiredService<ILoggerFactory>().CreateLogger("AccountGrains.Gateway"),
                cluster ? "cluster member" : "embedded silo",
                string.Join(", ", addresses),
                app.Services.GetService<IAccountUpdateSource>()?.Describe ?? "the cluster's ingest leader",
                app.Services.GetService<IAccountStore>()?.Describe ?? "the cluster's silos");
        });
        return app;
    }

    /// <summary>The addresses Kestrel bound (with the real port when 0 was asked for).</summary>
    public static IReadOnlyCollection<string> Addresses(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        return app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()?.Addresses.ToArray() ?? [];
    }
}

/// <summary>
/// Ready to serve: embedded, once started; a cluster gateway, while its RabbitMQ connection is open (grain calls
/// and streams go through it).
/// </summary>
internal sealed class ReadyCheck(IServiceProvider services) : IHealthCheck
{
    public const string Tag = "ready";

    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
        Task.FromResult(services.GetService<RabbitMqCluster>() is not { } cluster || cluster.IsOpen
            ? HealthCheckResult.Healthy()
            : HealthCheckResult.Unhealthy("not connected to RabbitMQ"));
}

/// <summary>Unhealthy when the ingest failed; degraded while a live upstream is reconnecting; healthy otherwise.</summary>
internal sealed class IngestHealthCheck(IGrainFactory grains) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var status = await grains.Get<IGeyserIngestGrain>(IGeyserIngestGrain.DefaultKey).GetStatusAsync().WaitAsync(cancellationToken).ConfigureAwait(false);
        var description = $"{status.Source}: {status.UpdatesRead} updates, last slot {status.LastSlot}";
        if (status.LastError is not null)
        {
            return HealthCheckResult.Unhealthy($"{description}; failed: {status.LastError}");
        }

        return status.Upstream == "reconnecting"
            ? HealthCheckResult.Degraded($"{description}; upstream reconnecting ({status.Reconnects} reconnects, {status.Gaps} gaps)")
            : HealthCheckResult.Healthy(description);
    }
}
