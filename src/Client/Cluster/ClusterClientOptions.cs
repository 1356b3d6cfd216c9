using Microsoft.Extensions.Options;

namespace AccountGrains.Client.Cluster;

/// <summary>
/// Settings of <see cref="AccountGrainsClusterClient"/> itself, bound from <c>AccountGrains:Client</c>. Where the
/// cluster is (database, RabbitMQ, partitions) is the cluster's own configuration: <c>AccountGrains:Cluster:*</c>,
/// <c>AccountGrains:RabbitMq:*</c>, <c>AccountGrains:Runtime:PartitionCount</c>.
/// </summary>
public sealed class ClusterClientOptions
{
    public const string SectionName = "AccountGrains:Client";
    public const int DefaultMaxConcurrentReads = 16;
    public const int DefaultMaxQueuedChanges = 1000;
    public static readonly TimeSpan DefaultConnectTimeout = TimeSpan.FromSeconds(30);

    /// <summary>
    /// Grain calls one <see cref="AccountGrainsClusterClient.GetAccountsAsync"/> (or a re-read after a broker reconnect)
    /// has in flight at once. Default 16.
    /// </summary>
    public int MaxConcurrentReads { get; set; } = DefaultMaxConcurrentReads;

    /// <summary>
    /// States one subscription may have waiting for its handler. Past it, the waiting states collapse to the newest per
    /// account: a handler slower than the stream skips intermediate states but always gets the latest, and memory stays
    /// bounded. Default 1000.
    /// </summary>
    public int MaxQueuedChanges { get; set; } = DefaultMaxQueuedChanges;

    /// <summary>
    /// How long <c>AccountGrainsClusterClient.ConnectAsync</c> waits for RabbitMQ and the cluster database before it
    /// fails with <see cref="ClusterErrorCodes.ConnectFailed"/>. Default 30 seconds.
    /// </summary>
    public TimeSpan ConnectTimeout { get; set; } = DefaultConnectTimeout;
}

/// <summary>Fails start-up with a message that names the setting.</summary>
public sealed class ClusterClientOptionsValidator : IValidateOptions<ClusterClientOptions>
{
    private const string S = ClusterClientOptions.SectionName;

    public ValidateOptionsResult Validate(string? name, ClusterClientOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = new List<string>();
        if (options.MaxConcurrentReads is < 1 or > 1024)
        {
            failures.Add($"{S}:MaxConcurrentReads must be between 1 and 1024 (got {options.MaxConcurrentReads}).");
        }

        if (options.MaxQueuedChanges is < 1 or > 1_000_000)
        {
            failures.Add($"{S}:MaxQueuedChanges must be between 1 and 1000000 (got {options.MaxQueuedChanges}).");
        }

        if (options.ConnectTimeout < TimeSpan.FromSeconds(1) || options.ConnectTimeout > TimeSpan.FromMinutes(10))
        {
            failures.Add($"{S}:ConnectTimeout must be between 1 second and 10 minutes (got {options.ConnectTimeout}).");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
