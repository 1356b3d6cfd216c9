using Npgsql;
using Xunit;

namespace AccountGrains.Testing.Servers;

/// <summary>
/// The throwaway PostgreSQL of <c>scripts/test-servers.sh</c>, named by <c>ACCOUNTGRAINS_TEST_POSTGRES</c> (an Npgsql
/// connection string). Tests that need it skip when the variable is unset.
/// </summary>
public static class PostgresTestDatabase
{
    public const string Variable = "ACCOUNTGRAINS_TEST_POSTGRES";

    public const string SkipReason = Variable + " is not set (scripts/test-servers.sh start sets it)";

    public static string? ConnectionString =>
        Environment.GetEnvironmentVariable(Variable) is { Length: > 0 } value ? value : null;
}

/// <summary>
/// A fresh schema <c>t_&lt;guid&gt;</c> for one test class, dropped with everything in it afterwards. Its
/// <see cref="ConnectionString"/> puts the schema first on the search path, so tables land there. Does nothing when
/// PostgreSQL is not configured (the tests skip then).
/// </summary>
public sealed class PostgresSchema : IAsyncLifetime
{
    private readonly List<string> _schemas = [];

    /// <summary>The connection string of the class's schema.</summary>
    public string ConnectionString { get; private set; } = string.Empty;

    public async Task InitializeAsync()
    {
        if (PostgresTestDatabase.ConnectionString is not null)
        {
            ConnectionString = await CreateAsync();
        }
    }

    /// <summary>Another fresh schema (dropped with the class's), for tests that need an empty database.</summary>
    public async Task<string> CreateAsync()
    {
        var server = PostgresTestDatabase.ConnectionString ?? throw new InvalidOperationException(PostgresTestDatabase.SkipReason);
        var schema = "t_" + Guid.NewGuid().ToString("N");
        await using (var connection = new NpgsqlConnection(server))
        {
            await connection.OpenAsync();
            await using var command = new NpgsqlCommand($"CREATE SCHEMA {schema}", connection);
            await command.ExecuteNonQueryAsync();
        }

        lock (_schemas)
        {
            _schemas.Add(schema);
        }

        return new NpgsqlConnectionStringBuilder(server) { SearchPath = schema }.ConnectionString;
    }

    public async Task DisposeAsync()
    {
        if (PostgresTestDatabase.ConnectionString is not { } server || _schemas.Count == 0)
        {
            return;
        }

        NpgsqlConnection.ClearAllPools();
        await using var connection = new NpgsqlConnection(server);
        await connection.OpenAsync();
        foreach (var schema in _schemas)
        {
            await using var command = new NpgsqlCommand($"DROP SCHEMA IF EXISTS {schema} CASCADE", connection);
            await command.ExecuteNonQueryAsync();
        }
    }
}

/// <summary>A fact that skips when <c>ACCOUNTGRAINS_TEST_POSTGRES</c> is unset.</summary>
public sealed class PostgresFactAttribute : FactAttribute
{
    public PostgresFactAttribute()
    {
        if (PostgresTestDatabase.ConnectionString is null)
        {
            Skip = PostgresTestDatabase.SkipReason;
        }
    }
}

/// <summary>A theory that skips when <c>ACCOUNTGRAINS_TEST_POSTGRES</c> is unset.</summary>
public sealed class PostgresTheoryAttribute : TheoryAttribute
{
    public PostgresTheoryAttribute()
    {
        if (PostgresTestDatabase.ConnectionString is null)
        {
            Skip = PostgresTestDatabase.SkipReason;
        }
    }
}
