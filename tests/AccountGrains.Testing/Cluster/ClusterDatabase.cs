using Npgsql;

namespace AccountGrains.Testing.Cluster;

/// <summary>One row of <c>partition_leases</c> (src/Runtime/Cluster/ClusterSchema.cs).</summary>
public sealed record PartitionLeaseRow(int Partition, string? Owner, long Epoch, DateTimeOffset ExpiresAt);

/// <summary>Every lease row at one instant, with the database's clock at that instant (leases expire on that clock).</summary>
public sealed record LeaseSnapshot(DateTimeOffset DatabaseTime, IReadOnlyList<PartitionLeaseRow> Leases)
{
    /// <summary>Owner of each partition whose lease has not expired, by partition.</summary>
    public IReadOnlyDictionary<int, string> LiveOwners =>
        Leases.Where(l => l.Owner is not null && l.ExpiresAt > DatabaseTime).ToDictionary(l => l.Partition, l => l.Owner!);
}

/// <summary>One row of <c>cluster_members</c>.</summary>
public sealed record ClusterMemberRow(string MemberId, string Kind, string Status, DateTimeOffset StartedAt, DateTimeOffset HeartbeatAt, string? DeclaredDeadBy);

/// <summary>The columns of an <c>accounts</c> row a test compares with what it fed in.</summary>
public sealed record StoredAccount(string Pubkey, ulong Slot, ulong WriteVersion, ulong Lamports, string Owner, long Epoch);

/// <summary>
/// What a test reads straight from the cluster's database, as an operator with psql would: membership, leases and
/// account rows. No product code: the harness observes the processes from outside.
/// </summary>
public sealed class ClusterDatabase(string connectionString) : IAsyncDisposable
{
    private readonly NpgsqlDataSource _dataSource = NpgsqlDataSource.Create(new NpgsqlConnectionStringBuilder(connectionString)
    {
        Timeout = 5,
        CommandTimeout = 10,
    }.ConnectionString);

    public string ConnectionString { get; } = connectionString;

    /// <summary>The lease rows with the database's clock; empty when the table does not exist yet (no silo started).</summary>
    public async Task<LeaseSnapshot> ReadLeasesAsync(CancellationToken cancellationToken = default)
    {
        const string sql = "SELECT partition, owner, epoch, expires_at, clock_timestamp() FROM partition_leases ORDER BY partition";
        try
        {
            await using var command = _dataSource.CreateCommand(sql);
            await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            var rows = new List<PartitionLeaseRow>();
            var now = DateTimeOffset.MinValue;
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                var expires = reader.GetFieldValue<DateTime>(3);
                rows.Add(new PartitionLeaseRow(
                    reader.GetInt32(0),
                    reader.IsDBNull(1) ? null : reader.GetString(1),
                    reader.GetInt64(2),
                    expires == DateTime.MinValue ? DateTimeOffset.MinValue : new DateTimeOffset(expires, TimeSpan.Zero)));
                now = reader.GetFieldValue<DateTimeOffset>(4);
            }

            return new LeaseSnapshot(rows.Count == 0 ? await NowAsync(cancellationToken).ConfigureAwait(false) : now, rows);
        }
        catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.UndefinedTable)
        {
            return new LeaseSnapshot(await NowAsync(cancellationToken).ConfigureAwait(false), []);
        }
    }

    /// <summary>Every membership row; empty when the table does not exist yet.</summary>
    public async Task<IReadOnlyList<ClusterMemberRow>> ReadMembersAsync(CancellationToken cancellationToken = default)
    {
        const string sql = "SELECT member_id, kind, status, started_at, heartbeat_at, declared_dead_by FROM cluster_members ORDER BY member_id";
        try
        {
            await using var command = _dataSource.CreateCommand(sql);
            await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            var rows = new List<ClusterMemberRow>();
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                rows.Add(new ClusterMemberRow(
                    reader.GetString(0), reader.GetString(1), reader.GetString(2),
                    reader.GetFieldValue<DateTimeOffset>(3), reader.GetFieldValue<DateTimeOffset>(4), reader.IsDBNull(5) ? null : reader.GetString(5)));
            }

            return rows;
        }
        catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.UndefinedTable)
        {
            return [];
        }
    }

    /// <summary>Every stored account, by pubkey; empty when the table does not exist yet.</summary>
    public async Task<IReadOnlyDictionary<string, StoredAccount>> ReadAccountsAsync(CancellationToken cancellationToken = default)
    {
        const string sql = "SELECT pubkey, slot, write_version, lamports, owner, epoch FROM accounts";
        var accounts = new Dictionary<string, StoredAccount>(StringComparer.Ordinal);
        try
        {
            await using var command = _dataSource.CreateCommand(sql);
            await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                // u64 columns are stored as bigint with the same bits.
                var account = new StoredAccount(
                    reader.GetString(0), unchecked((ulong)reader.GetInt64(1)), unchecked((ulong)reader.GetInt64(2)),
                    unchecked((ulong)reader.GetInt64(3)), reader.GetString(4), reader.GetInt64(5));
                accounts[account.Pubkey] = account;
            }
        }
        catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.UndefinedTable)
        {
        }

        return accounts;
    }

    public async Task<DateTimeOffset> NowAsync(CancellationToken cancellationToken = default)
    {
        await using var command = _dataSource.CreateCommand("SELECT clock_timestamp()");
        return (DateTimeOffset)(await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false))!;
    }

    public async ValueTask DisposeAsync()
    {
        await _dataSource.DisposeAsync().ConfigureAwait(false);
    }
}
