using Microsoft.Extensions.Options;

namespace AccountGrains.Runtime.Configuration;

/// <summary>Which store keeps grain state, and how writes are batched. Bound from <c>AccountGrains:Storage</c>.</summary>
public sealed class StorageOptions
{
    public const string SectionName = "AccountGrains:Storage";
    public const string SqliteProvider = "Sqlite";
    public const string DefaultSqlitePath = "data/accountgrains.db";

    /// <summary><c>Sqlite</c> (embedded default). PostgreSQL arrives with cluster mode.</summary>
    public string Provider { get; set; } = SqliteProvider;

    /// <summary>SQLite database file, relative to the working directory. Default <c>data/accountgrains.db</c>.</summary>
    public string SqlitePath { get; set; } = DefaultSqlitePath;

    /// <summary>How long the write-behind gathers states before writing a batch. Default 50 ms.</summary>
    public TimeSpan FlushInterval { get; set; } = TimeSpan.FromMilliseconds(50);

    /// <summary>Most account states one batch writes. Default 2000.</summary>
    public int MaxBatchSize { get; set; } = 2000;
}

public sealed class StorageOptionsValidator : IValidateOptions<StorageOptions>
{
    public ValidateOptionsResult Validate(string? name, StorageOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = new List<string>();
        if (!string.Equals(options.Provider, StorageOptions.SqliteProvider, StringComparison.OrdinalIgnoreCase))
        {
            failures.Add($"{StorageOptions.SectionName}:Provider '{options.Provider}' is not supported; use 'Sqlite'.");
        }

        if (string.IsNullOrWhiteSpace(options.SqlitePath))
        {
            failures.Add($"{StorageOptions.SectionName}:SqlitePath must name a file (or ':memory:').");
        }

        if (options.FlushInterval <= TimeSpan.Zero || options.FlushInterval > TimeSpan.FromSeconds(10))
        {
            failures.Add($"{StorageOptions.SectionName}:FlushInterval must be between 0 and 10 seconds (got {options.FlushInterval}).");
        }

        if (options.MaxBatchSize is < 1 or > 100_000)
        {
            failures.Add($"{StorageOptions.SectionName}:MaxBatchSize must be between 1 and 100000 (got {options.MaxBatchSize}).");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
