using System.Security.Cryptography;

using AccountGrains.Runtime.Configuration;

namespace AccountGrains.Runtime.Cluster;

/// <summary>
/// Settings of cluster membership and partition leases, bound from <c>AccountGrains:Cluster</c>. Every time that
/// matters to correctness is compared on the database's clock; the local clock only decides when this process stops
/// trusting a lease it could not renew (<see cref="SafetyMargin"/>).
/// </summary>
public sealed class ClusterOptions
{
    public const string SectionName = "AccountGrains:Cluster";
    public static readonly TimeSpan DefaultHeartbeatInterval = TimeSpan.FromSeconds(2);
    public static readonly TimeSpan DefaultDeadAfter = TimeSpan.FromSeconds(10);
    public static readonly TimeSpan DefaultCleanupAfter = TimeSpan.FromMinutes(10);
    public static readonly TimeSpan DefaultLeaseDuration = TimeSpan.FromSeconds(10);
    public static readonly TimeSpan DefaultRenewInterval = TimeSpan.FromSeconds(2);
    public static readonly TimeSpan DefaultSafetyMargin = TimeSpan.FromSeconds(3);

    /// <summary>
    /// Cluster mode: this process is one member of a cluster on PostgreSQL and RabbitMQ instead of the embedded
    /// single process. Default false.
    /// </summary>
    public bool Enabled { get; set; }

    /// <summary>
    /// Npgsql connection string of the cluster database (membership and leases). Default: the storage's
    /// (<c>AccountGrains:Storage:ConnectionString</c>).
    /// </summary>
    public string ConnectionString { get; set; } = "";

    /// <summary>
    /// This process's identity in the membership table. Default: machine name, process id and a random suffix, so a
    /// restarted process is a new member (a member declared dead never comes back under the same id).
    /// </summary>
    public string MemberId { get; set; } = NewMemberId();

    /// <summary>What this member is: a silo (owns partitions) or a gateway. Default <see cref="ClusterMemberKind.Silo"/>.</summary>
    public ClusterMemberKind Kind { get; set; } = ClusterMemberKind.Silo;

    /// <summary>Where other members reach this one (informational; may be empty).</summary>
    public string Address { get; set; } = "";

    /// <summary>How often this member writes its heartbeat. Default 2 seconds.</summary>
    public TimeSpan HeartbeatInterval { get; set; } = DefaultHeartbeatInterval;

    /// <summary>A member whose heartbeat is older than this (database clock) is declared dead. Default 10 seconds.</summary>
    public TimeSpan DeadAfter { get; set; } = DefaultDeadAfter;

    /// <summary>Rows of dead members are deleted this long after they were declared dead. Default 10 minutes.</summary>
    public TimeSpan CleanupAfter { get; set; } = DefaultCleanupAfter;

    /// <summary>How long an acquired or renewed partition lease lasts (database clock). Default 10 seconds.</summary>
    public TimeSpan LeaseDuration { get; set; } = DefaultLeaseDuration;

    /// <summary>How often owned leases are renewed and the fair share is rebalanced. Default 2 seconds.</summary>
    public TimeSpan RenewInterval { get; set; } = DefaultRenewInterval;

    /// <summary>
    /// A lease that could not be renewed is given up (reported lost) this long before it would expire, measured on the
    /// local clock from the start of its last successful renewal: room for clock drift and a paused process.
    /// Default 3 seconds.
    /// </summary>
    public TimeSpan SafetyMargin { get; set; } = DefaultSafetyMargin;

    /// <summary>Number of partitions; must equal <c>AccountGrains:Runtime:PartitionCount</c>. Default 64.</summary>
    public int PartitionCount { get; set; } = GrainRuntimeOptions.DefaultPartitionCount;

    private static string NewMemberId() =>
        $"{Environment.MachineName}-{Environment.ProcessId}-{Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(4))}";
}

/// <summary>The kinds of cluster member.</summary>
public enum ClusterMemberKind
{
    /// <summary>Runs grains and owns partitions.</summary>
    Silo,

    /// <summary>Serves clients; owns no partitions.</summary>
    Gateway,
}
