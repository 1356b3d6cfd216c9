namespace AccountGrains.Runtime.Tests.TestSupport;

/// <summary>
/// A fact that needs the throwaway PostgreSQL of <c>scripts/test-servers.sh</c>: skipped when
/// <c>ACCOUNTGRAINS_TEST_POSTGRES</c> (an Npgsql connection string) is not set.
/// </summary>
public sealed class PostgresFactAttribute : FactAttribute
{
    public const string Variable = "ACCOUNTGRAINS_TEST_POSTGRES";

    public PostgresFactAttribute()
    {
        if (string.IsNullOrWhiteSpace(ConnectionString))
        {
            Skip = $"{Variable} is not set (eval \"$(scripts/test-servers.sh start)\" starts a PostgreSQL for the tests)";
        }
    }

    public static string? ConnectionString => Environment.GetEnvironmentVariable(Variable);
}
