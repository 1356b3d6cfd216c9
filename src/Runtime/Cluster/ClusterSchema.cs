using System.Data.Common;

namespace AccountGrains.Runtime.Cluster;

/// <summary>
/// Creates the membership and lease tables, idempotently: every member runs this at start-up, so the statements run
/// under a transaction-scoped advisory lock (concurrent <c>CREATE TABLE IF NOT EXISTS</c> can still collide on the
/// catalog). Tables go to the first schema of the connection's search_path.
/// </summary>
public static class ClusterSchema
{
    /// <summary>The advisory lock key that serialises schema changes ("AGCLUSTR").</summary>
    public const long AdvisoryLockKey = 0x4147434C55535452;

    private const string CreateTables = """
        CREATE TABLE IF NOT EXISTS cluster_members (
            member_id        text        PRIMARY KEY,
            kind             text        NOT NULL CHECK (kind IN ('silo', 'gateway')),
            address          text        NOT NULL DEFAULT '',
            started_at       timestamptz NOT NULL,
            heartbeat_at     timestamptz NOT NULL,
            status           text        NOT NULL CHECK (status IN ('active', 'leaving', 'dead')),
            declared_dead_by text        NULL,
            declared_dead_at timestamptz NULL
        );
        CREATE TABLE IF NOT EXISTS partition_leases (
            partition  integer     PRIMARY KEY CHECK (partition >= 0),
            owner      text        NULL,
            epoch      bigint      NOT NULL DEFAULT 0,
            expires_at timestamptz NOT NULL DEFAULT '-infinity'
        );
        """;

    public static async Task EnsureCreatedAsync(DbDataSource dataSource, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(dataSource);
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        await using (var command = connection.CreateCommand())
        {
            command.Transaction = transaction;
            command.CommandText = $"SELECT pg_advisory_xact_lock({AdvisoryLockKey}); {CreateTables}";
            await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }

        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
    }
}
