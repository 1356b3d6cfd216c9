using System.Globalization;

namespace AccountGrains.Testing.Cluster;

/// <summary>How a <see cref="TestCluster"/> runs its processes.</summary>
public enum TestClusterMode
{
    /// <summary>
    /// <c>AccountGrains__Cluster__Enabled=true</c>: PostgreSQL (a fresh schema per cluster) and RabbitMQ (a fresh name
    /// prefix per cluster) from <c>ACCOUNTGRAINS_TEST_POSTGRES</c> / <c>ACCOUNTGRAINS_TEST_RABBITMQ</c>.
    /// </summary>
    Cluster,

    /// <summary>
    /// Every process on its own, embedded (SQLite in its working directory, everything in-process): no server needed.
    /// For testing the harness itself; nothing is shared between the processes.
    /// </summary>
    Embedded,
}

/// <summary>What a <see cref="TestCluster"/> starts and how.</summary>
public sealed class TestClusterOptions
{
    /// <summary>Silos <see cref="TestCluster.StartAsync()"/> starts (silo-1 .. silo-N). Default 3.</summary>
    public int Silos { get; set; } = 3;

    /// <summary>Gateways <see cref="TestCluster.StartAsync()"/> starts (gateway-1 .. gateway-M). Default 1.</summary>
    public int Gateways { get; set; } = 1;

    public TestClusterMode Mode { get; set; } = TestClusterMode.Cluster;

    /// <summary><c>AccountGrains:Runtime:PartitionCount</c>. Default 16 (the product's default is 64).</summary>
    public int PartitionCount { get; set; } = 16;

    /// <summary>Membership and lease timings; default <see cref="ClusterTimings.Fast"/>.</summary>
    public ClusterTimings Timings { get; set; } = ClusterTimings.Fast;

    /// <summary>A replay file (samples/README.md) the ingest reads once, as fast as the grains take it. Null: an empty file.</summary>
    public string? ReplayFile { get; set; }

    /// <summary><c>AccountGrains:Ingest:Replay:UpdatesPerSecond</c>; 0 = as fast as possible.</summary>
    public double ReplayUpdatesPerSecond { get; set; }

    /// <summary><c>AccountGrains:RabbitMq:QueueType</c>: Classic by default, lighter on one test broker than Quorum.</summary>
    public string QueueType { get; set; } = "Classic";

    /// <summary>
    /// The database: null takes a fresh schema of <c>ACCOUNTGRAINS_TEST_POSTGRES</c>, dropped on dispose. A given
    /// connection string is used as it is and left alone; in embedded mode it makes every process store into it.
    /// </summary>
    public string? PostgresConnectionString { get; set; }

    /// <summary><c>Maximum Pool Size</c> of the processes' connection string (per data source). Default 20.</summary>
    public int MaxPoolSize { get; set; } = 20;

    /// <summary>The broker; null takes <c>ACCOUNTGRAINS_TEST_RABBITMQ</c>.</summary>
    public string? RabbitMqUri { get; set; }

    /// <summary>Queue and exchange name prefix; null makes a fresh <c>tc-&lt;8 hex&gt;.</c> so clusters never share queues.</summary>
    public string? RabbitMqPrefix { get; set; }

    /// <summary>Extra environment of every process (wins over the harness's own settings).</summary>
    public Dictionary<string, string> Environment { get; } = [];

    /// <summary>Extra environment of silos only.</summary>
    public Dictionary<string, string> SiloEnvironment { get; } = [];

    /// <summary>Extra environment of gateways only.</summary>
    public Dictionary<string, string> GatewayEnvironment { get; } = [];

    /// <summary>How long a started process may take to become ready before the start fails. Default 60 s (2 cores, cold JIT).</summary>
    public TimeSpan StartTimeout { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>How long a graceful stop may take before it fails (the process is killed then). Default 30 s.</summary>
    public TimeSpan StopTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// Where the cluster's folder (working directories, logs, generated files) goes; default
    /// <c>$TMPDIR/accountgrains-cluster/tc-&lt;id&gt;</c>.
    /// </summary>
    public string? Directory { get; set; }
}

/// <summary>
/// <c>AccountGrains:Cluster</c> timings. <see cref="Fast"/> makes failover a matter of seconds for tests; the
/// rules of <c>ClusterOptionsValidator</c> hold for it (DeadAfter ≥ 2 heartbeats, RenewInterval &lt; LeaseDuration −
/// SafetyMargin).
/// </summary>
public sealed record ClusterTimings(
    TimeSpan HeartbeatInterval,
    TimeSpan DeadAfter,
    TimeSpan LeaseDuration,
    TimeSpan RenewInterval,
    TimeSpan SafetyMargin)
{
    /// <summary>
    /// Heartbeat 0.5 s, dead after 6 s, lease 6 s renewed every 1 s, given up 2 s before it expires. Tighter (dead
    /// after 3 s, lease 4 s) made a silo lose its leases and be declared dead on a 2-core machine when five processes
    /// start and JIT at once and every log went silent for 2.4 s.
    /// </summary>
    public static ClusterTimings Fast { get; } = new(
        TimeSpan.FromMilliseconds(500), TimeSpan.FromSeconds(6), TimeSpan.FromSeconds(6), TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(2));

    /// <summary>The settings as environment variables (TimeSpan in the invariant "c" format).</summary>
    public IEnumerable<KeyValuePair<string, string>> ToEnvironment()
    {
        yield return new("AccountGrains__Cluster__HeartbeatInterval", Format(HeartbeatInterval));
        yield return new("AccountGrains__Cluster__DeadAfter", Format(DeadAfter));
        yield return new("AccountGrains__Cluster__LeaseDuration", Format(LeaseDuration));
        yield return new("AccountGrains__Cluster__RenewInterval", Format(RenewInterval));
        yield return new("AccountGrains__Cluster__SafetyMargin", Format(SafetyMargin));
    }

    private static string Format(TimeSpan value) => value.ToString("c", CultureInfo.InvariantCulture);
}
