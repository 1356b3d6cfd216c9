using AccountGrains.Runtime.Configuration;
using Microsoft.Extensions.Options;
using Npgsql;

namespace AccountGrains.Runtime.Cluster;

/// <summary>Fails start-up with a message that names the setting, including settings that only make sense together.</summary>
public sealed class ClusterOptionsValidator : IValidateOptions<ClusterOptions>
{
    private const string S = ClusterOptions.SectionName;
    private readonly int? _runtimePartitionCount;

    /// <summary>Checks the cluster settings on their own.</summary>
    public ClusterOptionsValidator()
    {
    }

    /// <summary>Checks the cluster settings and that the partition count matches the runtime's.</summary>
    public ClusterOptionsValidator(IOptions<GrainRuntimeOptions> runtimeOptions)
    {
        ArgumentNullException.ThrowIfNull(runtimeOptions);
        _runtimePartitionCount = runtimeOptions.Value.PartitionCount;
    }

    public ValidateOptionsResult Validate(string? name, ClusterOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = new List<string>();
        ValidateConnectionString(options.ConnectionString, failures);

        if (string.IsNullOrWhiteSpace(options.MemberId) || options.MemberId.Length > 200)
        {
            failures.Add($"{S}:MemberId must be 1 to 200 characters, not blank (got '{options.MemberId}').");
        }

        if (!Enum.IsDefined(options.Kind))
        {
            failures.Add($"{S}:Kind must be Silo or Gateway (got {options.Kind}).");
        }

        Positive(options.HeartbeatInterval, "HeartbeatInterval", failures);
        Positive(options.DeadAfter, "DeadAfter", failures);
        Positive(options.CleanupAfter, "CleanupAfter", failures);
        Positive(options.LeaseDuration, "LeaseDuration", failures);
        Positive(options.RenewInterval, "RenewInterval", failures);
        Positive(options.SafetyMargin, "SafetyMargin", failures);

        if (options.HeartbeatInterval > TimeSpan.Zero && options.DeadAfter < options.HeartbeatInterval * 2)
        {
            failures.Add($"{S}:DeadAfter ({options.DeadAfter}) must be at least twice {S}:HeartbeatInterval ({options.HeartbeatInterval}), " +
                "or one late heartbeat gets a live member declared dead.");
        }

        if (options.DeadAfter > TimeSpan.Zero && options.CleanupAfter < options.DeadAfter)
        {
            failures.Add($"{S}:CleanupAfter ({options.CleanupAfter}) must be at least {S}:DeadAfter ({options.DeadAfter}).");
        }

        if (options.SafetyMargin > TimeSpan.Zero && options.SafetyMargin >= options.LeaseDuration)
        {
            failures.Add($"{S}:SafetyMargin ({options.SafetyMargin}) must be less than {S}:LeaseDuration ({options.LeaseDuration}).");
        }
        else if (options.RenewInterval > TimeSpan.Zero && options.RenewInterval >= options.LeaseDuration - options.SafetyMargin)
        {
            failures.Add($"{S}:RenewInterval ({options.RenewInterval}) must be less than {S}:LeaseDuration - {S}:SafetyMargin " +
                $"({options.LeaseDuration - options.SafetyMargin}), or a lease is given up before it is renewed.");
        }

        if (options.PartitionCount is < 1 or > 65536)
        {
            failures.Add($"{S}:PartitionCount must be between 1 and 65536 (got {options.PartitionCount}).");
        }
        else if (_runtimePartitionCount is { } runtime && runtime != options.PartitionCount)
        {
            failures.Add($"{S}:PartitionCount ({options.PartitionCount}) must equal {GrainRuntimeOptions.SectionName}:PartitionCount ({runtime}).");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    private static void ValidateConnectionString(string connectionString, List<string> failures)
    {
        if (string.IsNullOrWhiteSpace(connectionString))
        {
            failures.Add($"{S}:ConnectionString is required (an Npgsql connection string such as 'Host=db;Username=accountgrains;Database=accountgrains').");
            return;
        }

        try
        {
            _ = new NpgsqlConnectionStringBuilder(connectionString);
        }
        catch (ArgumentException e)
        {
            failures.Add($"{S}:ConnectionString is not a valid Npgsql connection string: {e.Message}");
        }
    }

    private static void Positive(TimeSpan value, string setting, List<string> failures)
    {
        if (value <= TimeSpan.Zero)
        {
            failures.Add($"{S}:{setting} must be positive (got {value}).");
        }
    }
}
