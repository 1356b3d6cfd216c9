using System.Globalization;
using AccountGrains.Runtime.Cluster;
using AccountGrains.Runtime.Configuration;
using AccountGrains.Runtime.Transport.RabbitMq;
using Microsoft.Extensions.Configuration;

namespace AccountGrains.Client.Cluster;

/// <summary>
/// Where the cluster is, for <see cref="AccountGrainsClusterClient.ConnectAsync(ClusterClientSettings, Microsoft.Extensions.Logging.ILoggerFactory?, CancellationToken)"/>
/// in a program without configuration files. Each property is one configuration key (named in its doc);
/// <see cref="ToConfiguration"/> turns them into those keys, so the settings are validated exactly as a host's
/// configuration is and a mistake names the key. Properties left null keep the key's default.
/// </summary>
public sealed class ClusterClientSettings
{
    /// <summary><c>AccountGrains:Cluster:ConnectionString</c>: the cluster database (Npgsql), where membership lives. Required.</summary>
    public string? ConnectionString { get; set; }

    /// <summary><c>AccountGrains:RabbitMq:Uri</c>: the cluster's broker, <c>amqp://user:password@host:5672/vhost</c>. Default <c>amqp://guest:guest@localhost:5672/</c>.</summary>
    public string? RabbitMqUri { get; set; }

    /// <summary><c>AccountGrains:RabbitMq:Prefix</c>: the cluster's queue and exchange name prefix, if it has one.</summary>
    public string? RabbitMqPrefix { get; set; }

    /// <summary>
    /// <c>AccountGrains:RabbitMq:QueueType</c>: must be the cluster's, as every member declares the partition queues
    /// (RabbitMQ refuses a declaration with another type). Default Quorum.
    /// </summary>
    public RabbitMqQueueType? RabbitMqQueueType { get; set; }

    /// <summary><c>AccountGrains:Runtime:PartitionCount</c>: must be the cluster's. Default 64.</summary>
    public int? PartitionCount { get; set; }

    /// <summary><c>AccountGrains:RabbitMq:CallTimeout</c>: how long a call waits for the silo's answer. Default 30 s.</summary>
    public TimeSpan? CallTimeout { get; set; }

    /// <summary><c>AccountGrains:Cluster:MemberId</c>: this client's row in the membership table. Default machine-pid-random.</summary>
    public string? MemberId { get; set; }

    /// <summary><c>AccountGrains:Cluster:HeartbeatInterval</c>; use the cluster's. Default 2 s.</summary>
    public TimeSpan? HeartbeatInterval { get; set; }

    /// <summary><c>AccountGrains:Cluster:DeadAfter</c>; use the cluster's. Default 10 s.</summary>
    public TimeSpan? DeadAfter { get; set; }

    /// <summary><c>AccountGrains:Client:MaxConcurrentReads</c> (see <see cref="ClusterClientOptions.MaxConcurrentReads"/>).</summary>
    public int? MaxConcurrentReads { get; set; }

    /// <summary><c>AccountGrains:Client:MaxQueuedChanges</c> (see <see cref="ClusterClientOptions.MaxQueuedChanges"/>).</summary>
    public int? MaxQueuedChanges { get; set; }

    /// <summary><c>AccountGrains:Client:ConnectTimeout</c> (see <see cref="ClusterClientOptions.ConnectTimeout"/>).</summary>
    public TimeSpan? ConnectTimeout { get; set; }

    /// <summary>These settings as the configuration keys they stand for.</summary>
    public IConfiguration ToConfiguration()
    {
        var values = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase);
        Set(values, ClusterOptions.SectionName, nameof(ClusterOptions.ConnectionString), ConnectionString);
        Set(values, RabbitMqOptions.SectionName, nameof(RabbitMqOptions.Uri), RabbitMqUri);
        Set(values, RabbitMqOptions.SectionName, nameof(RabbitMqOptions.Prefix), RabbitMqPrefix);
        Set(values, RabbitMqOptions.SectionName, nameof(RabbitMqOptions.QueueType), RabbitMqQueueType);
        Set(values, GrainRuntimeOptions.SectionName, nameof(GrainRuntimeOptions.PartitionCount), PartitionCount);
        Set(values, RabbitMqOptions.SectionName, nameof(RabbitMqOptions.CallTimeout), CallTimeout);
        Set(values, ClusterOptions.SectionName, nameof(ClusterOptions.MemberId), MemberId);
        Set(values, ClusterOptions.SectionName, nameof(ClusterOptions.HeartbeatInterval), HeartbeatInterval);
        Set(values, ClusterOptions.SectionName, nameof(ClusterOptions.DeadAfter), DeadAfter);
        Set(values, ClusterClientOptions.SectionName, nameof(ClusterClientOptions.MaxConcurrentReads), MaxConcurrentReads);
        Set(values, ClusterClientOptions.SectionName, nameof(ClusterClientOptions.MaxQueuedChanges), MaxQueuedChanges);
        Set(values, ClusterClientOptions.SectionName, nameof(ClusterClientOptions.ConnectTimeout), ConnectTimeout);
        return new ConfigurationBuilder().AddInMemoryCollection(values).Build();
    }

    private static void Set(Dictionary<string, string?> values, string section, string key, object? value)
    {
        if (value is not null)
        {
            values[$"{section}:{key}"] = value switch
            {
                TimeSpan span => span.ToString("c", CultureInfo.InvariantCulture),
                IFormattable formattable => formattable.ToString(null, CultureInfo.InvariantCulture),
                _ => value.ToString(),
            };
        }
    }
}
