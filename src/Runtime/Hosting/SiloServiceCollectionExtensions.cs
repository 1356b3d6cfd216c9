using AccountGrains.Runtime.Catalog;
using AccountGrains.Runtime.Configuration;
using AccountGrains.Runtime.Diagnostics;
using AccountGrains.Runtime.Hosting.Cluster;
using AccountGrains.Runtime.Messaging;
using AccountGrains.Runtime.Storage;
using AccountGrains.Runtime.Storage.AdoNet;
using AccountGrains.Runtime.Storage.Postgres;
using AccountGrains.Runtime.Storage.Sqlite;
using AccountGrains.Runtime.Streams;
using AccountGrains.Runtime.Transport;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace AccountGrains.Runtime.Hosting;

/// <summary>
/// Registers a silo. Embedded (default): in-process transport and streams, every partition owned here, storage in
/// SQLite or PostgreSQL (<c>AccountGrains:Storage:Provider</c>). With <c>AccountGrains:Cluster:Enabled</c>: one silo
/// of a cluster, owning its share of the partitions by lease, with the RabbitMQ transport and streams and PostgreSQL
/// storage.
/// </summary>
public static class SiloServiceCollectionExtensions
{
    public static SiloBuilder AddAccountGrainsSilo(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        services.AddMetrics();
        services.TryAddSingleton(TimeProvider.System);
        services.AddOptions<GrainRuntimeOptions>().Bind(configuration.GetSection(GrainRuntimeOptions.SectionName)).ValidateOnStart();
        services.AddSingleton<IValidateOptions<GrainRuntimeOptions>, GrainRuntimeOptionsValidator>();
        services.AddOptions<StorageOptions>().Bind(configuration.GetSection(StorageOptions.SectionName)).ValidateOnStart();
        services.AddSingleton<IValidateOptions<StorageOptions>, StorageOptionsValidator>();

        services.TryAddSingleton<RuntimeMetrics>();
        services.TryAddSingleton(sp => new GrainTypeRegistry(sp.GetServices<GrainRegistration>()));
        services.TryAddSingleton<GrainCatalog>();
        var cluster = ClusterServiceCollectionExtensions.IsClusterEnabled(configuration);
        if (cluster)
        {
            ClusterServiceCollectionExtensions.AddClusterSilo(services, configuration);
            services.AddSingleton<IValidateOptions<StorageOptions>, ClusterStorageValidator>();
        }

        services.TryAddSingleton<IMessageTransport, InProcessTransport>();
        services.TryAddSingleton<GrainRuntime>();
        services.TryAddSingleton<IGrainFactory>(sp => sp.GetRequiredService<GrainRuntime>());
        services.TryAddSingleton<IGrainCallRouter>(sp => sp.GetRequiredService<GrainRuntime>());
        services.TryAddSingleton<IStreamProvider, InProcessStreamProvider>();
        services.TryAddSingleton<IAccountStore>(sp => CreateStore(sp.GetRequiredService<IOptions<StorageOptions>>().Value, sp.GetRequiredService<TimeProvider>()));
        // The ingest's interest set and checkpoints, and the wallets, live beside the accounts when the store can hold them.
        services.TryAddSingleton<IIngestStateStore>(sp =>
            sp.GetRequiredService<IAccountStore>() as IIngestStateStore ?? new InMemoryIngestStateStore());
        services.TryAddSingleton<IWalletStore>(sp =>
            sp.GetRequiredService<IAccountStore>() as IWalletStore ?? new InMemoryWalletStore());
        services.TryAddSingleton<AccountWriteBehind>();
        if (!cluster)
        {
            services.AddHostedService<SiloHost>();
        }

        services.AddHostedService<AccountHistoryPruner>();
        return new SiloBuilder(services);
    }

    private static AdoNetAccountStore CreateStore(StorageOptions options, TimeProvider time) =>
        options.IsPostgres
            ? new PostgresAccountStore(options.ConnectionString!, time) { KeepsHistory = options.HistoryRetention > TimeSpan.Zero }
            : new SqliteAccountStore(options.SqlitePath, time) { KeepsHistory = options.HistoryRetention > TimeSpan.Zero };
}

/// <summary>A cluster's silos share one database: storage must be PostgreSQL.</summary>
internal sealed class ClusterStorageValidator : IValidateOptions<StorageOptions>
{
    public ValidateOptionsResult Validate(string? name, StorageOptions options) =>
        options.IsPostgres
            ? ValidateOptionsResult.Success
            : ValidateOptionsResult.Fail($"{StorageOptions.SectionName}:Provider must be 'Postgres' when AccountGrains:Cluster:Enabled is true (the silos share one database); got '{options.Provider}'.");
}

/// <summary>Adds grain classes to a silo.</summary>
public sealed class SiloBuilder(IServiceCollection services)
{
    public IServiceCollection Services { get; } = services;

    public SiloBuilder AddGrain<TInterface, TImplementation>()
        where TInterface : IGrain
        where TImplementation : Grain, TInterface
    {
        Services.AddSingleton(new GrainRegistration(
            typeof(TInterface), typeof(TImplementation), GrainTypeRegistry.TypeNameOf(typeof(TInterface))));
        return this;
    }
}
