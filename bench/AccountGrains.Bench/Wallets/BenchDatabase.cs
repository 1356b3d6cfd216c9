using Npgsql;

namespace AccountGrains.Bench.Wallets;

/// <summary>
/// A round's own, empty database and the storage settings that point a silo at it: a SQLite file in a temp directory
/// (the product default), or a fresh schema in the PostgreSQL of <c>scripts/test-servers.sh</c>. Disposing deletes it.
/// </summary>
internal sealed class BenchDatabase : IAsyncDisposable
{
    private readonly Func<ValueTask> _drop;

    private BenchDatabase(IReadOnlyDictionary<string, string?> settings, Func<ValueTask> drop)
    {
        Settings = settings;
        _drop = drop;
    }

    public IReadOnlyDictionary<string, string?> Settings { get; }

    public static Task<BenchDatabase> CreateAsync(string? postgres) => postgres is null ? Task.FromResult(Sqlite()) : PostgresAsync(postgres);

    public ValueTask DisposeAsync() => _drop();

    private static BenchDatabase Sqlite()
    {
        var directory = Directory.CreateTempSubdirectory("accountgrains-bench-");
        return new BenchDatabase(
            new Dictionary<string, string?> { ["AccountGrains:Storage:SqlitePath"] = Path.Combine(directory.FullName, "state.db") },
            () =>
            {
                Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
                directory.Delete(recursive: true);
                return ValueTask.CompletedTask;
            });
    }

    private static async Task<BenchDatabase> PostgresAsync(string postgres)
    {
        var schema = "bench_" + Guid.NewGuid().ToString("N")[..12];
        await ExecuteAsync(postgres, $"CREATE SCHEMA {schema}");
        var connection = new NpgsqlConnectionStringBuilder(postgres) { SearchPath = schema }.ConnectionString;
        return new BenchDatabase(
            new Dictionary<string, string?>
            {
                ["AccountGrains:Storage:Provider"] = "Postgres",
                ["AccountGrains:Storage:ConnectionString"] = connection,
            },
            async () =>
            {
                NpgsqlConnection.ClearAllPools();
                await ExecuteAsync(postgres, $"DROP SCHEMA {schema} CASCADE");
            });
    }

    private static async Task ExecuteAsync(string connection, string sql)
    {
        await using var data = NpgsqlDataSource.Create(connection);
        await using var command = data.CreateCommand(sql);
        await command.ExecuteNonQueryAsync();
    }
}
