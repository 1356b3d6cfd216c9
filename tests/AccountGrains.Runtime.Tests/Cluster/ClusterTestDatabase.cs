using Npgsql;


namespace AccountGrains.Runtime.Tests.Cluster;

/// <summary>A schema of its own for one test (<c>c_&lt;guid&gt;</c>), dropped on dispose.</summary>
internal sealed class ClusterTestDatabase : IAsyncDisposable
{
    private readonly NpgsqlDataSource _admin;

    private ClusterTestDatabase(NpgsqlConnectionStringBuilder builder, string schema)
    {
        Builder = builder;
        Schema = schema;
        _admin = NpgsqlDataSource.Create(ConnectionString());
    }

    public NpgsqlConnectionStringBuilder Builder { get; }

    public string Schema { get; }

    /// <summary>A data source straight to the database, in the test's schema (the silos' view is through proxies).</summary>
    public NpgsqlDataSource Direct => _admin;

    public static async Task<ClusterTestDatabase> CreateAsync()
    {
        var builder = new NpgsqlConnectionStringBuilder(PostgresTestDatabase.ConnectionString);
        var schema = "c_" + Guid.NewGuid().ToString("N");
        await using (var setup = NpgsqlDataSource.Create(builder.ConnectionString))
        {
            await setup.CreateCommand($"CREATE SCHEMA {schema}").ExecuteNonQueryAsync();
        }

        return new ClusterTestDatabase(builder, schema);
    }

    /// <summary>The connection string of the test's schema, optionally through a proxy on <paramref name="port"/>.</summary>
    public string ConnectionString(int? port = null)
    {
        var builder = new NpgsqlConnectionStringBuilder(Builder.ConnectionString)
        {
            SearchPath = Schema,
            Timeout = 5,
            CancellationTimeout = 500,
        };
        if (port is { } p)
        {
            builder.Host = "127.0.0.1";
            builder.Port = p;
        }

        return builder.ConnectionString;
    }

    public async ValueTask DisposeAsync()
    {
        await _admin.DisposeAsync();
        await using var cleanup = NpgsqlDataSource.Create(Builder.ConnectionString);
        await cleanup.CreateCommand($"DROP SCHEMA IF EXISTS {Schema} CASCADE").ExecuteNonQueryAsync();
    }
}
