using System.Data.Common;
using AccountGrains.Runtime.Catalog;
using AccountGrains.Runtime.Cluster;
using AccountGrains.Runtime.Configuration;
using AccountGrains.Runtime.Messaging;
using AccountGrains.Runtime.Transport;
using AccountGrains.Runtime.Transport.RabbitMq;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Npgsql;

namespace AccountGrains.Runtime.Hosting.Cluster;

/// <summary>Registers the parts every cluster member has: membership, RabbitMQ, the cluster transport and streams.</summary>
public static class ClusterServiceCollectionExtensions
{
    /// <summary>Whether <c>AccountGrains:Cluster:Enabled</c> is true in <paramref name="configuration"/>.</summary>
    public static bool IsClusterEnabled(IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        return configuration.GetSection(ClusterOptions.SectionName).GetValue<bool>(nameof(ClusterOptions.Enabled));
    }

    /// <summary>
    /// A process that calls grains and follows their streams without hosting any (a gateway, an internal service):
    /// grain references, the cluster transport and streams, and a membership row of kind gateway. Needs
    /// <c>AccountGrains:Cluster:ConnectionString</c> (or the storage's) and <c>AccountGrains:RabbitMq:Uri</c>.
    /// </summary>
    public static IServiceCollection AddAccountGrainsClient(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        services.AddMetrics();
        services.TryAddSingleton(TimeProvider.System);
        services.AddOptions<GrainRuntimeOptions>().Bind(configuration.GetSection(GrainRuntimeOptions.SectionName)).ValidateOnStart();
        services.AddSingleton<IValidateOptions<GrainRuntimeOptions>, GrainRuntimeOptionsValidator>();
        services.TryAddSingleton(sp => new GrainTypeRegistry(sp.GetServices<GrainRegistration>()));
        AddClusterMember(services, configuration, ClusterMemberKind.Gateway);
        services.TryAddSingleton<GrainRuntime>();
        services.TryAddSingleton<IGrainFactory>(sp => sp.GetRequiredService<GrainRuntime>());
        services.TryAddSingleton<IGrainCallRouter>(sp => sp.GetRequiredService<GrainRuntime>());
        services.AddHostedService<ClusterClientHost>();
        return services;
    }

    internal static void AddClusterMember(IServiceCollection services, IConfiguration configuration, ClusterMemberKind kind)
    {
        services.AddOptions<StorageOptions>().Bind(configuration.GetSection(StorageOptions.SectionName));
        services.AddOptions<ClusterOptions>()
            .Bind(configuration.GetSection(ClusterOptions.SectionName))
            .PostConfigure<IOptions<StorageOptions>, IOptions<GrainRuntimeOptions>>((cluster, storage, runtime) =>
            {
                cluster.Kind = kind;
                if (string.IsNullOrWhiteSpace(cluster.ConnectionString) && storage.Value.IsPostgres)
                {
                    cluster.ConnectionString = storage.Value.ConnectionString ?? "";
                }

                // One setting for both: the runtime's partition count is the cluster's.
                if (configuration.GetSection(ClusterOptions.SectionName)[nameof(ClusterOptions.PartitionCount)] is null)
                {
                    cluster.PartitionCount = runtime.Value.PartitionCount;
                }
            })
            .ValidateOnStart();
        services.AddSingleton<IValidateOptions<ClusterOptions>>(sp => new ClusterOptionsValidator(sp.GetRequiredService<IOptions<GrainRuntimeOptions>>()));
        services.AddOptions<RabbitMqOptions>()
            .Bind(configuration.GetSection(RabbitMqOptions.SectionName))
            .PostConfigure<IOptions<ClusterOptions>>((rabbit, cluster) => rabbit.ConnectionName ??= $"accountgrains {cluster.Value.Kind.ToString().ToLowerInvariant()} {cluster.Value.MemberId}")
            .ValidateOnStart();
        services.AddSingleton<IValidateOptions<RabbitMqOptions>, RabbitMqOptionsValidator>();
        services.TryAddSingleton<ClusterMetrics>();
        services.TryAddSingleton<RabbitMqMetrics>(sp => new RabbitMqMetrics(sp.GetRequiredService<System.Diagnostics.Metrics.IMeterFactory>()));
        services.TryAddSingleton<ClusterDatabase>();
        services.TryAddSingleton(sp => new MembershipService(
            sp.GetRequiredService<IOptions<ClusterOptions>>(),
            sp.GetRequiredService<ClusterDatabase>().DataSource,
            sp.GetRequiredService<ILogger<MembershipService>>(),
            sp.GetRequiredService<ClusterMetrics>(),
            sp.GetRequiredService<TimeProvider>()));
        services.TryAddSingleton<RabbitMqCluster>();
        services.TryAddSingleton<IMessageTransport, ClusterTransport>();
        services.TryAddSingleton<ClusterStreamProvider>();
        services.TryAddSingleton<IStreamProvider>(sp => sp.GetRequiredService<ClusterStreamProvider>());
    }

    internal static void AddClusterSilo(IServiceCollection services, IConfiguration configuration)
    {
        AddClusterMember(services, configuration, ClusterMemberKind.Silo);
        services.TryAddSingleton(sp => new PartitionLeaseManager(
            sp.GetRequiredService<IOptions<ClusterOptions>>(),
            sp.GetRequiredService<ClusterDatabase>().DataSource,
            sp.GetRequiredService<MembershipService>(),
            sp.GetRequiredService<ILogger<PartitionLeaseManager>>(),
            sp.GetRequiredService<ClusterMetrics>(),
            sp.GetRequiredService<TimeProvider>()));
        services.AddHostedService<ClusterSiloHost>();
    }
}

/// <summary>
/// The cluster database's data source (membership and leases), from <see cref="ClusterOptions.ConnectionString"/>.
/// Membership and leases run a few statements at a time, so its pool is capped at
/// <see cref="DefaultMaxPoolSize"/> unless the connection string says otherwise: every member also has the store's
/// pool, and a cluster of many members must stay within the server's max_connections.
/// </summary>
public sealed class ClusterDatabase(IOptions<ClusterOptions> options) : IAsyncDisposable
{
    public const int DefaultMaxPoolSize = 5;

    private readonly Lazy<NpgsqlDataSource> _dataSource = new(() =>
    {
        var builder = new NpgsqlConnectionStringBuilder(options.Value.ConnectionString);
        if (!System.Text.RegularExpressions.Regex.IsMatch(options.Value.ConnectionString, @"max(imum)?\s*pool\s*size", System.Text.RegularExpressions.RegexOptions.IgnoreCase))
        {
            builder.MaxPoolSize = DefaultMaxPoolSize;
        }

        return NpgsqlDataSource.Create(builder);
    });

    public DbDataSource DataSource => _dataSource.Value;

    public async ValueTask DisposeAsync()
    {
        if (_dataSource.IsValueCreated)
        {
            await _dataSource.Value.DisposeAsync().ConfigureAwait(false);
        }
    }
}

/// <summary>
/// The host side of a client (gateway) member: opens RabbitMQ, checks that its partition count is the cluster's (a
/// silo checks its own when it takes leases; a client owns none, so nothing else would), joins the membership as a
/// gateway, leaves on stop, and stops the process if the cluster declares it dead.
/// </summary>
internal sealed partial class ClusterClientHost(
    RabbitMqCluster rabbit,
    MembershipService membership,
    ClusterDatabase database,
    IOptions<ClusterOptions> options,
    IHostApplicationLifetime lifetime,
    ILogger<ClusterClientHost> logger) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        await rabbit.OpenAsync(cancellationToken).ConfigureAwait(false);
        await ClusterSchema.EnsureCreatedAsync(database.DataSource, cancellationToken).ConfigureAwait(false);
        await new PartitionLeaseTable(database.DataSource).VerifyPartitionCountAsync(options.Value.PartitionCount, cancellationToken).ConfigureAwait(false);
        await membership.StartAsync(cancellationToken).ConfigureAwait(false);
        _ = membership.Terminated.ContinueWith(
            t =>
            {
                DeclaredDead(logger, membership.MemberId, t.Result);
                lifetime.StopApplication();
            },
            CancellationToken.None,
            TaskContinuationOptions.OnlyOnRanToCompletion,
            TaskScheduler.Default);
    }

    public Task StopAsync(CancellationToken cancellationToken) => membership.StopAsync(cancellationToken);

    [LoggerMessage(1237, LogLevel.Critical, "Member {MemberId} was declared dead by the cluster ({Reason}); stopping the process")]
    private static partial void DeclaredDead(ILogger logger, string memberId, string reason);
}
