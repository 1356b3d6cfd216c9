using Microsoft.Extensions.Options;

namespace AccountGrains.Runtime.Transport.RabbitMq;

/// <summary>How the cluster transport reaches RabbitMQ. Bound from <c>AccountGrains:RabbitMq</c>.</summary>
public sealed class RabbitMqOptions
{
    public const string SectionName = "AccountGrains:RabbitMq";
    public const string DefaultUri = "amqp://guest:guest@localhost:5672/";
    public const int DefaultPrefetch = 256;
    public const int DefaultPublishBatchSize = 500;
    public const int DefaultMaxUnconfirmed = 10_000;
    public const int DefaultMaxBatchCalls = 100;
    public static readonly TimeSpan DefaultBatchLinger = TimeSpan.FromMilliseconds(1);
    public static readonly TimeSpan DefaultConfirmTimeout = TimeSpan.FromSeconds(30);
    public static readonly TimeSpan DefaultCallTimeout = TimeSpan.FromSeconds(30);
    public static readonly TimeSpan DefaultReconnectDelay = TimeSpan.FromSeconds(2);
    public static readonly TimeSpan DefaultMaxReconnectDelay = TimeSpan.FromSeconds(30);

    /// <summary>
    /// AMQP URI of the broker, <c>amqp://user:password@host:port/vhost</c> (<c>amqps://</c> for TLS). Logs and
    /// <see cref="RabbitMqConnection.Describe"/> never show the password. Default <c>amqp://guest:guest@localhost:5672/</c>.
    /// </summary>
    public string Uri { get; set; } = DefaultUri;

    /// <summary>
    /// Put in front of every queue and exchange name (<c>t1a2b.</c> makes <c>t1a2b.partition.3</c>), so that tests
    /// or two clusters can share one vhost. Letters, digits, '.', '-' and '_' only. Default empty.
    /// </summary>
    public string Prefix { get; set; } = "";

    /// <summary>
    /// Partition queue type. Quorum (default) replicates and fsyncs every message and counts deliveries; classic is
    /// lighter on a single development broker. Changing it for existing queues needs them deleted first.
    /// </summary>
    public RabbitMqQueueType QueueType { get; set; } = RabbitMqQueueType.Quorum;

    /// <summary>Most unacknowledged messages one consumer holds (AMQP basic.qos). Default 256.</summary>
    public int Prefetch { get; set; } = DefaultPrefetch;

    /// <summary>Most publishes sent before their confirms are awaited together. Default 500.</summary>
    public int PublishBatchSize { get; set; } = DefaultPublishBatchSize;

    /// <summary>
    /// How long a publish may take to be confirmed by the broker, reconnects included; past it the publish fails with
    /// a <see cref="TimeoutException"/>. Default 30 s.
    /// </summary>
    public TimeSpan ConfirmTimeout { get; set; } = DefaultConfirmTimeout;

    /// <summary>
    /// How long a grain call that expects a result waits for the reply of the silo owning its partition; past it the
    /// caller gets a <see cref="TimeoutException"/> and the request expires in the queue. Default 30 s.
    /// </summary>
    public TimeSpan CallTimeout { get; set; } = DefaultCallTimeout;

    /// <summary>
    /// One-way grain calls (the ingest's updates) sent and not yet confirmed by the broker, at most; a sender past it
    /// waits. Default 10,000.
    /// </summary>
    public int MaxUnconfirmed { get; set; } = DefaultMaxUnconfirmed;

    /// <summary>
    /// One-way calls of a partition sent within <see cref="BatchLinger"/> travel as one broker message of up to this
    /// many calls (1 turns batching off). Default 100.
    /// </summary>
    public int MaxBatchCalls { get; set; } = DefaultMaxBatchCalls;

    /// <summary>How long a one-way call waits for others to share its broker message. Default 1 ms.</summary>
    public TimeSpan BatchLinger { get; set; } = DefaultBatchLinger;

    /// <summary>Delay between recovery attempts after the connection is lost; the first connect starts here too. Default 2 s.</summary>
    public TimeSpan ReconnectDelay { get; set; } = DefaultReconnectDelay;

    /// <summary>The first connect doubles its delay after each failure up to this. Default 30 s.</summary>
    public TimeSpan MaxReconnectDelay { get; set; } = DefaultMaxReconnectDelay;

    /// <summary>Connection name shown by the management UI and <c>rabbitmqctl list_connections</c>. Default the machine name.</summary>
    public string? ConnectionName { get; set; }
}

/// <summary>Which RabbitMQ queue type carries the partitions.</summary>
public enum RabbitMqQueueType
{
    /// <summary>Raft-replicated, every message on disk, <c>x-delivery-count</c> per message.</summary>
    Quorum,

    /// <summary>One node's queue: cheaper, but lost with that node's disk.</summary>
    Classic,
}

public sealed class RabbitMqOptionsValidator : IValidateOptions<RabbitMqOptions>
{
    public ValidateOptionsResult Validate(string? name, RabbitMqOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = new List<string>();
        const string s = RabbitMqOptions.SectionName;
        if (!System.Uri.TryCreate(options.Uri, UriKind.Absolute, out var uri)
            || (uri.Scheme != "amqp" && uri.Scheme != "amqps") || string.IsNullOrEmpty(uri.Host))
        {
            // Never echo the value: it may hold a password.
            failures.Add($"{s}:Uri must be an absolute amqp:// or amqps:// URI with a host, e.g. amqp://user:password@rabbitmq:5672/.");
        }

        if (options.Prefix.Length > 100 || options.Prefix.Any(c => !(char.IsAsciiLetterOrDigit(c) || c is '.' or '-' or '_')))
        {
            failures.Add($"{s}:Prefix '{options.Prefix}' may hold only letters, digits, '.', '-' and '_' (at most 100).");
        }

        if (!Enum.IsDefined(options.QueueType))
        {
            failures.Add($"{s}:QueueType must be Quorum or Classic (got {options.QueueType}).");
        }

        if (options.Prefetch is < 1 or > ushort.MaxValue)
        {
            failures.Add($"{s}:Prefetch must be between 1 and 65535 (got {options.Prefetch}).");
        }

        if (options.PublishBatchSize is < 1 or > 10_000)
        {
            failures.Add($"{s}:PublishBatchSize must be between 1 and 10000 (got {options.PublishBatchSize}).");
        }

        if (options.MaxBatchCalls is < 1 or > 10_000)
        {
            failures.Add($"{s}:MaxBatchCalls must be between 1 and 10000 (got {options.MaxBatchCalls}).");
        }

        if (options.BatchLinger < TimeSpan.Zero || options.BatchLinger > TimeSpan.FromSeconds(1))
        {
            failures.Add($"{s}:BatchLinger must be between 0 and 1 second (got {options.BatchLinger}).");
        }

        if (options.MaxUnconfirmed is < 1 or > 1_000_000)
        {
            failures.Add($"{s}:MaxUnconfirmed must be between 1 and 1000000 (got {options.MaxUnconfirmed}).");
        }

        if (options.ConfirmTimeout < TimeSpan.FromMilliseconds(100) || options.ConfirmTimeout > TimeSpan.FromMinutes(10))
        {
            failures.Add($"{s}:ConfirmTimeout must be between 100 ms and 10 minutes (got {options.ConfirmTimeout}).");
        }

        if (options.CallTimeout < TimeSpan.FromMilliseconds(100) || options.CallTimeout > TimeSpan.FromMinutes(10))
        {
            failures.Add($"{s}:CallTimeout must be between 100 ms and 10 minutes (got {options.CallTimeout}).");
        }

        if (options.ReconnectDelay < TimeSpan.FromMilliseconds(100) || options.ReconnectDelay > TimeSpan.FromMinutes(5))
        {
            failures.Add($"{s}:ReconnectDelay must be between 100 ms and 5 minutes (got {options.ReconnectDelay}).");
        }

        if (options.MaxReconnectDelay < options.ReconnectDelay || options.MaxReconnectDelay > TimeSpan.FromMinutes(10))
        {
            failures.Add($"{s}:MaxReconnectDelay must be at least ReconnectDelay and at most 10 minutes (got {options.MaxReconnectDelay}).");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
