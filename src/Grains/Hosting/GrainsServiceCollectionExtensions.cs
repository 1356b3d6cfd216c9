using AccountGrains.Grains.Accounts;
using AccountGrains.Grains.Decoding;
using AccountGrains.Grains.Diagnostics;
using AccountGrains.Grains.Ingest;
using AccountGrains.Grains.Ingest.Replay;
using AccountGrains.Grains.Ingest.Rpc;
using AccountGrains.Grains.Ingest.Yellowstone;
using AccountGrains.Grains.Notifications;
using AccountGrains.Grains.Rpc;
using AccountGrains.Grains.Wallets;
using AccountGrains.Solana.Rpc;
using AccountGrains.Runtime.Hosting;
using AccountGrains.Runtime.Hosting.Cluster;
using AccountGrains.Solana.Decoding;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace AccountGrains.Grains.Hosting;

/// <summary>Adds the AccountGrains grains, decoders and the configured upstream source to a silo.</summary>
public static class GrainsServiceCollectionExtensions
{
    /// <summary>Registers the grains and the source; <paramref name="startIngest"/> off leaves the ingest idle (tests that feed grains directly).</summary>
    public static SiloBuilder AddAccountGrains(this SiloBuilder silo, IConfiguration configuration, bool startIngest = true)
    {
        ArgumentNullException.ThrowIfNull(silo);
        ArgumentNullException.ThrowIfNull(configuration);
        var services = silo.Services;
        services.TryAddSingleton<GrainMetrics>();
        services.TryAddSingleton<MintDecimalsCache>();
        services.TryAddSingleton<IMintDecimalsLookup>(sp => sp.GetRequiredService<MintDecimalsCache>());
        services.AddOptions<DecoderOptions>().Bind(configuration.GetSection(DecoderOptions.SectionName)).ValidateOnStart();
        services.AddSingleton<IValidateOptions<DecoderOptions>, DecoderOptionsValidator>();
        services.TryAddSingleton(sp => DecoderRegistryFactory.Create(
            sp.GetRequiredService<IOptions<DecoderOptions>>().Value,
            sp.GetRequiredService<IMintDecimalsLookup>(),
            sp.GetRequiredService<ILoggerFactory>().CreateLogger("AccountGrains.Decoding")));
        services.TryAddSingleton<AccountDecoding>();
        services.AddOptions<ReplayOptions>().Bind(configuration.GetSection(ReplayOptions.SectionName)).ValidateOnStart();
        services.AddSingleton<IValidateOptions<ReplayOptions>, ReplayOptionsValidator>();
        services.AddOptions<IngestOptions>().Bind(configuration.GetSection(IngestOptions.SectionName)).ValidateOnStart();
        services.AddSingleton<IValidateOptions<IngestOptions>, IngestOptionsValidator>();
        services.AddOptions<YellowstoneOptions>().Bind(configuration.GetSection(YellowstoneOptions.SectionName)).ValidateOnStart();
        services.AddSingleton<IValidateOptions<YellowstoneOptions>, YellowstoneOptionsValidator>();
        services.TryAddSingleton<InterestSet>();
        services.AddOptions<WalletOptions>().Bind(configuration.GetSection(WalletOptions.SectionName)).ValidateOnStart();
        services.AddSingleton<IValidateOptions<WalletOptions>, WalletOptionsValidator>();
        services.TryAddSingleton<WalletTokenAccounts>();
        services.TryAddSingleton<WalletRouter>();
        services.AddAccountGrainsNotifications(configuration);
        AddSolanaRpc(services, configuration);
        services.TryAddSingleton<ReplayFileSource>();
        services.TryAddSingleton(sp => new YellowstoneSource(
            sp.GetRequiredService<IOptions<YellowstoneOptions>>(),
            sp.GetRequiredService<InterestSet>(),
            sp.GetRequiredService<Runtime.Storage.IIngestStateStore>(),
            sp.GetRequiredService<GrainMetrics>(),
            sp.GetRequiredService<ILogger<YellowstoneSource>>(),
            sp.GetService<TimeProvider>(),
            sp.GetRequiredService<SolanaRpcAccess>().Reader)
        {
            HandOffDurable = sp.GetRequiredService<Runtime.Transport.IMessageTransport>().FlushAsync,
            Transactions = sp.GetRequiredService<WalletRouter>().RouteAsync,
            TokenAccounts = sp.GetRequiredService<WalletTokenAccounts>(),
        });
        services.AddOptions<RpcSourceOptions>().Bind(configuration.GetSection(RpcSourceOptions.SectionName)).ValidateOnStart();
        services.AddSingleton<IValidateOptions<RpcSourceOptions>, RpcSourceOptionsValidator>();
        services.TryAddSingleton(sp => new RpcWebSocketSource(
            sp.GetRequiredService<IOptions<RpcSourceOptions>>(),
            sp.GetRequiredService<InterestSet>(),
            sp.GetRequiredService<GrainMetrics>(),
            sp.GetRequiredService<ILogger<RpcWebSocketSource>>(),
            sp.GetService<TimeProvider>(),
            sp.GetRequiredService<SolanaRpcAccess>().Reader)
        {
            FetchTransaction = sp.GetRequiredService<SolanaRpcAccess>().Client is { } client
                ? (signature, ct) => client.GetTransactionAsync(signature, sp.GetRequiredService<IOptions<RpcSourceOptions>>().Value.Commitment switch
                {
                    // getTransaction serves confirmed and finalized only.
                    RpcCommitment.Finalized => RpcCommitment.Finalized,
                    _ => RpcCommitment.Confirmed,
                }, ct)
                : null,
            RecentSignatures = sp.GetRequiredService<SolanaRpcAccess>().Client is { } recentClient
                ? (address, ct) => recentClient.GetSignaturesForAddressAsync(address, limit: 100, commitment: RpcCommitment.Confirmed, ct: ct)
                : null,
            Transactions = sp.GetRequiredService<WalletRouter>().RouteAsync,
        });
        services.TryAddSingleton<IAccountUpdateSource>(sp => sp.GetRequiredService<IOptions<IngestOptions>>().Value.Source switch
        {
            IngestOptions.Yellowstone => sp.GetRequiredService<YellowstoneSource>(),
            IngestOptions.Rpc => sp.GetRequiredService<RpcWebSocketSource>(),
            _ => sp.GetRequiredService<ReplayFileSource>(),
        });
        silo.AddGrain<IAccountGrain, AccountGrain>()
            .AddGrain<IGeyserIngestGrain, GeyserIngestGrain>()
            .AddGrain<IWalletGrain, WalletGrain>();
        if (startIngest && ClusterServiceCollectionExtensions.IsClusterEnabled(configuration))
        {
            // One ingest per cluster: the silo owning the ingest grain's partition starts it.
            services.AddSingleton<IPartitionListener>(sp => new IngestLeader(
                sp.GetRequiredService<IGrainFactory>(),
                sp.GetRequiredService<IOptions<Runtime.Configuration.GrainRuntimeOptions>>().Value.PartitionCount,
                sp.GetRequiredService<ILogger<IngestLeader>>()));
        }
        else if (startIngest)
        {
            services.AddHostedService<IngestStarter>();
        }

        return silo;
    }

    /// <summary>Solana RPC for hydration and gap refills, present when <c>AccountGrains:Rpc:Url</c> is set (see <see cref="SolanaRpcAccess"/>).</summary>
    private static void AddSolanaRpc(IServiceCollection services, IConfiguration configuration)
    {
        var section = configuration.GetSection(RpcEndpointOptions.SectionName);
        services.AddOptions<RpcEndpointOptions>().Bind(section).ValidateOnStart();
        services.AddSingleton<IValidateOptions<RpcEndpointOptions>, RpcEndpointOptionsValidator>();
        services.AddOptions<SolanaRpcOptions>().Bind(section).ValidateOnStart();
        services.AddSingleton<IValidateOptions<SolanaRpcOptions>, SolanaRpcOptionsValidator>();
        services.TryAddSingleton<SolanaRpcAccess>();
        services.TryAddSingleton(sp => sp.GetRequiredService<SolanaRpcAccess>().Hydrator);
    }
}
