using AccountGrains.Runtime.Cluster;
using AccountGrains.Testing;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;

namespace AccountGrains.Runtime.Tests.Cluster;

/// <summary>
/// One cluster member of a test: its own proxy to the database (so the test can cut it off alone), its own data
/// source, membership and, for a silo, partition leases.
/// </summary>
internal sealed class TestClusterSilo : IAsyncDisposable
{
    private bool _disposed;

    private TestClusterSilo(string name, ClusterOptions options, TcpProxy proxy, NpgsqlDataSource dataSource, MembershipService membership, PartitionLeaseManager? leases)
    {
        Name = name;
        Options = options;
        Proxy = proxy;
        DataSource = dataSource;
        Membership = membership;
        Leases = leases;
    }

    public string Name { get; }

    public ClusterOptions Options { get; }

    public TcpProxy Proxy { get; }

    public NpgsqlDataSource DataSource { get; }

    public MembershipService Membership { get; }

    public PartitionLeaseManager? Leases { get; }

    public PartitionLeaseManager RequiredLeases => Leases ?? throw new InvalidOperationException($"{Name} has no leases");

    public int OwnedCount => Leases?.OwnedPartitions.Count ?? 0;

    public static async Task<TestClusterSilo> StartAsync(
        ClusterTestDatabase database, string name, Action<ClusterOptions>? configure = null, LeaseHistory? history = null, bool withLeases = true, ClusterMetrics? metrics = null)
    {
        var proxy = new TcpProxy(database.Builder.Host ?? "127.0.0.1", database.Builder.Port);
        var options = ClusterTests.FastOptions(database, name, proxy.Port);
        configure?.Invoke(options);
        new ClusterOptionsValidator().Validate(null, options).Failures.Should().BeNullOrEmpty();
        var dataSource = NpgsqlDataSource.Create(options.ConnectionString);
        var wrapped = Microsoft.Extensions.Options.Options.Create(options);
        var membership = new MembershipService(wrapped, dataSource, NullLogger<MembershipService>.Instance, metrics);
        PartitionLeaseManager? leases = null;
        if (withLeases)
        {
            leases = new PartitionLeaseManager(wrapped, dataSource, membership, NullLogger<PartitionLeaseManager>.Instance, metrics);
            history?.Attach(name, leases);
        }

        await membership.StartAsync(CancellationToken.None);
        if (leases is not null)
        {
            await leases.StartAsync(CancellationToken.None);
        }

        return new TestClusterSilo(name, options, proxy, dataSource, membership, leases);
    }

    /// <summary>Graceful: hand the leases back, leave the membership.</summary>
    public async Task StopAsync()
    {
        if (Leases is not null)
        {
            await Leases.StopAsync(CancellationToken.None);
        }

        await Membership.StopAsync(CancellationToken.None);
        await DisposeAsync();
    }

    /// <summary>A crash: timers and loops stop, nothing is released or reported; the rows stay until they expire.</summary>
    public async Task KillAsync(LeaseHistory? history = null)
    {
        history?.Killed(Name);
        await DisposeAsync();
    }

    public async ValueTask DisposeAsync()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        if (Leases is not null)
        {
            await Leases.DisposeAsync();
        }

        await Membership.DisposeAsync();
        await DataSource.DisposeAsync();
        await Proxy.DisposeAsync();
    }
}
