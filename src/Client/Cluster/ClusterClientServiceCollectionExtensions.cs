using AccountGrains.Runtime.Cluster;
using AccountGrains.Runtime.Hosting.Cluster;
using AccountGrains.Runtime.Transport.RabbitMq;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace AccountGrains.Client.Cluster;

/// <summary>Registers <see cref="AccountGrainsClusterClient"/> in a host.</summary>
public static class ClusterClientServiceCollectionExtensions
{
    /// <summary>
    /// The cluster client of <see cref="ClusterServiceCollectionExtensions.AddAccountGrainsClient"/> (grain references
    /// and streams over RabbitMQ, a membership row of kind gateway, started and stopped by the host) and the
    /// <see cref="AccountGrainsClusterClient"/> over it, with its settings from <c>AccountGrains:Client</c>. For a
    /// process that hosts no grains; a silo calls its grains through <see cref="IGrainFactory"/> directly.
    /// </summary>
    public static IServiceCollection AddAccountGrainsClusterClient(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configuration);
        services.AddAccountGrainsClient(configuration);
        services.AddOptions<ClusterClientOptions>().Bind(configuration.GetSection(ClusterClientOptions.SectionName)).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<ClusterClientOptions>, ClusterClientOptionsValidator>());
        services.TryAddSingleton(sp => new AccountGrainsClusterClient(
            sp.GetRequiredService<IGrainFactory>(),
            sp.GetRequiredService<IStreamProvider>(),
            sp.GetRequiredService<IOptions<ClusterClientOptions>>().Value,
            sp.GetRequiredService<IOptions<RabbitMqOptions>>().Value.CallTimeout,
            sp.GetRequiredService<IOptions<ClusterOptions>>().Value.MemberId,
            sp.GetRequiredService<ILogger<AccountGrainsClusterClient>>()));
        return services;
    }
}
