using Microsoft.Extensions.Options;
using Npgsql;

namespace AccountGrains.Runtime.Configuration;

/// <summary>Which store keeps grain state, and how writes are batched. Bound from <c>AccountGrains:Storage</c>.</summary>
public sealed class StorageOptions
{
    public const string SectionName = "AccountGrains:Storage";
    public const string SqliteProvider = "Sqlite";
    public const string PostgresProvider = "Postgres";
    public const string DefaultSqlitePath = "data/accountgrains.db";

    /// <summary><c>Sqlite</c> (embedded default) or <c>Postgres</c> (needs <see cref="ConnectionString"/>).</summary>
    public string Provider { get; set; } = SqliteProvider;

    /// <summary>SQLite database file, relative to the working directory. Default <c>data/accountgrains.db</c>.</summary>
    public string SqlitePath { get; set; } = DefaultSqlitePath;

    /// <summary>
    /// Npgsql connection string when <see cref="Provider"/> is <c>Postgres</c> (e.g.
    /// <c>Host=db;Port=5432;Username=ag;Password=…;Database=accountgrains</c>). Holds a secret: never logged.
    /// </summary>
    public string? ConnectionString { get; set; }

    /// <summary>
    /// How long the update history (<c>account_history</c>: every state that changed an account) is kept. Default
    /// <see cref="TimeSpan.Zero"/>: no history is written.
    /// </summary>
    public TimeSpan HistoryRetention { get; set; } = TimeSpan.Zero;

    public bool IsPostgres => string.Equals(Provider, PostgresProvider, StringComparison.OrdinalIgnoreCase);

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
        if (options.IsPostgres)
        {
            ValidateConnectionString(options.ConnectionString, failures);
        }
        else if (!string.Equals(options.Provider, StorageOptions.SqliteProvider, StringComparison.OrdinalIgnoreCase))
        {
            failures.Add($"{StorageOptions.SectionName}:Provider '{options.Provider}' is not supported; use 'Sqlite' or 'Postgres'.");
        }
        else if (string.IsNullOrWhiteSpace(options.SqlitePath))
        {
            failures.Add($"{StorageOptions.SectionName}:SqlitePath must name a file (or ':memory:').");
        }

        if (options.HistoryRetention < TimeSpan.Zero)
        {
            failures.Add($"{StorageOptions.SectionName}:HistoryRetention must be zero (no history) or positive (got {options.HistoryRetention}).");
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

    // The messages never quote the connection string: it may carry a password.
    private static void ValidateConnectionString(string? connectionString, List<string> failures)
    {
        const string setting = StorageOptions.SectionName + ":ConnectionString";
        if (string.IsNullOrWhiteSpace(connectionString))
        {
            failures.Add($"{setting} is required when Provider is 'Postgres' (e.g. 'Host=db;Port=5432;Username=ag;Password=…;Database=accountgrains').");
            return;
        }

        NpgsqlConnectionStringBuilder builder;
        try
        {
            builder = new NpgsqlConnectionStringBuilder(connectionString);
        }
        catch (ArgumentException e)
        {
            failures.Add($"{setting} is not a valid Npgsql connection string: {e.Message}");
            return;
        }

        if (string.IsNullOrWhiteSpace(builder.Host))
        {
            failures.Add($"{setting} must name a Host.");
        }
    }
}
