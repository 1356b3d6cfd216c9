using AccountGrains.Client.Cluster;
using Microsoft.Extensions.Logging.Abstractions;

namespace AccountGrains.Client.Tests.Support;

/// <summary>Cluster clients built straight over a grain factory and streams (an embedded silo's, or a fake's).</summary>
public static class TestClients
{
    public static AccountGrainsClusterClient Create(IGrainFactory grains, IStreamProvider streams, TimeSpan? callTimeout = null) =>
        new(grains, streams, new ClusterClientOptions(), callTimeout ?? TimeSpan.FromSeconds(10), "test-client", NullLogger<AccountGrainsClusterClient>.Instance);
}
