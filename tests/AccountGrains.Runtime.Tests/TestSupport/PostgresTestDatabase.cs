using Npgsql;
using Xunit.Abstractions;
using Xunit.Sdk;

namespace AccountGrains.Runtime.Tests.TestSupport;

/// <summary>
/// The throwaway PostgreSQL of <c>scripts/test-servers.sh</c>, named by <c>ACCOUNTGRAINS_TEST_POSTGRES</c> (an Npgsql
/// connection string). Tests that need it skip when the variable is unset.
/// </summary>
internal static class PostgresTestDatabase
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

/// <summary>Marks a test class whose inherited <see cref="StoreFactAttribute"/> tests need PostgreSQL.</summary>
[AttributeUsage(AttributeTargets.Class)]
public sealed class RequiresPostgresAttribute : Attribute;

/// <summary>
/// A fact of a shared test base (the storage conformance tests): it skips in a derived class marked
/// <see cref="RequiresPostgresAttribute"/> when PostgreSQL is not configured. (An attribute on the base method cannot
/// know which class runs it; its discoverer can.)
/// </summary>
[XunitTestCaseDiscoverer("AccountGrains.Runtime.Tests.TestSupport.StoreFactDiscoverer", "AccountGrains.Runtime.Tests")]
[AttributeUsage(AttributeTargets.Method)]
public sealed class StoreFactAttribute : FactAttribute;

public sealed class StoreFactDiscoverer(IMessageSink diagnosticMessageSink) : IXunitTestCaseDiscoverer
{
    private readonly FactDiscoverer _facts = new(diagnosticMessageSink);

    public IEnumerable<IXunitTestCase> Discover(ITestFrameworkDiscoveryOptions discoveryOptions, ITestMethod testMethod, IAttributeInfo factAttribute)
    {
        ArgumentNullException.ThrowIfNull(testMethod);
        ArgumentNullException.ThrowIfNull(discoveryOptions);
        if (PostgresTestDatabase.ConnectionString is null && testMethod.TestClass.Class.GetCustomAttributes(typeof(RequiresPostgresAttribute)).Any())
        {
            return
            [
                new XunitSkippedDataRowTestCase(
                    diagnosticMessageSink,
                    discoveryOptions.MethodDisplayOrDefault(),
                    discoveryOptions.MethodDisplayOptionsOrDefault(),
                    testMethod,
                    PostgresTestDatabase.SkipReason),
            ];
        }

        return _facts.Discover(discoveryOptions, testMethod, factAttribute);
    }
}
