using Microsoft.Extensions.Options;

namespace AccountGrains.Runtime.Configuration;

/// <summary>Settings of the grain runtime, bound from <c>AccountGrains:Runtime</c>.</summary>
public sealed class GrainRuntimeOptions
{
    public const string SectionName = "AccountGrains:Runtime";
    public const int DefaultPartitionCount = 64;
    public const int DefaultMailboxCapacity = 1024;
    public const int DefaultPartitionQueueCapacity = 8192;

    /// <summary>
    /// Number of partitions keys hash into. Fixed for the life of a cluster (it names queues and leases).
    /// Default <see cref="DefaultPartitionCount"/>.
    /// </summary>
    public int PartitionCount { get; set; } = DefaultPartitionCount;

    /// <summary>
    /// Messages one activation may have waiting. A sender to a full mailbox waits: a flood applies back-pressure
    /// upstream instead of growing memory. Default <see cref="DefaultMailboxCapacity"/>.
    /// </summary>
    public int MailboxCapacity { get; set; } = DefaultMailboxCapacity;

    /// <summary>Messages one in-process partition queue may hold before senders wait.</summary>
    public int PartitionQueueCapacity { get; set; } = DefaultPartitionQueueCapacity;

    /// <summary>An activation that has run no turn for this long is collected. Default 10 minutes.</summary>
    public TimeSpan IdleTimeout { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>How often idle activations are looked for. Default 30 seconds.</summary>
    public TimeSpan CollectionInterval { get; set; } = TimeSpan.FromSeconds(30);
}

/// <summary>Fails start-up with a message that names the setting.</summary>
public sealed class GrainRuntimeOptionsValidator : IValidateOptions<GrainRuntimeOptions>
{
    public ValidateOptionsResult Validate(string? name, GrainRuntimeOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = new List<string>();
        if (options.PartitionCount is < 1 or > 65536)
        {
            failures.Add($"{GrainRuntimeOptions.SectionName}:PartitionCount must be between 1 and 65536 (got {options.PartitionCount}).");
        }

        if (options.MailboxCapacity < 1)
        {
            failures.Add($"{GrainRuntimeOptions.SectionName}:MailboxCapacity must be at least 1 (got {options.MailboxCapacity}).");
        }

        if (options.PartitionQueueCapacity < 1)
        {
            failures.Add($"{GrainRuntimeOptions.SectionName}:PartitionQueueCapacity must be at least 1 (got {options.PartitionQueueCapacity}).");
        }

        if (options.IdleTimeout <= TimeSpan.Zero)
        {
            failures.Add($"{GrainRuntimeOptions.SectionName}:IdleTimeout must be positive (got {options.IdleTimeout}).");
        }

        if (options.CollectionInterval <= TimeSpan.Zero)
        {
            failures.Add($"{GrainRuntimeOptions.SectionName}:CollectionInterval must be positive (got {options.CollectionInterval}).");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
