using System.Data.Common;

namespace AccountGrains.Runtime.Cluster;

/// <summary>
/// The SQL of the lease table (<c>partition_leases</c>), one row per partition. Every change is a single conditional
/// UPDATE, so the database decides who wins: two silos can never both acquire a partition, and a renewal or release
/// only touches a row that still names the caller at the epoch it holds. Expiry is compared on the database clock.
/// </summary>
public sealed class PartitionLeaseTable(DbDataSource dataSource)
{
    private readonly DbDataSource _dataSource = dataSource ?? throw new ArgumentNullException(nameof(dataSource));

    /// <summary>
    /// Creates the rows of partitions 0..<paramref name="partitionCount"/>-1 (free, epoch 0) if the table is empty,
    /// and fails if the table already holds a different number of partitions: the count is fixed per cluster.
    /// </summary>
    public async Task EnsurePartitionsAsync(int partitionCount, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(partitionCount, 1);
        await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        await using (var command = connection.CreateCommand())
        {
            command.Transaction = transaction;
            command.CommandText = $"""
                SELECT pg_advisory_xact_lock({ClusterSchema.AdvisoryLockKey});
                INSERT INTO partition_leases (partition)
                SELECT p FROM generate_series(0, @count - 1) AS p
                 WHERE NOT EXISTS (SELECT 1 FROM partition_leases)
                """;
            AddParameter(command, "count", partitionCount);
            await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }

        await using (var command = connection.CreateCommand())
        {
            command.Transaction = transaction;
            command.CommandText = "SELECT count(*)::int, coalesce(max(partition), -1) FROM partition_leases";
            await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            await reader.ReadAsync(cancellationToken).ConfigureAwait(false);
            var (count, max) = (reader.GetInt32(0), reader.GetInt32(1));
            if (count != partitionCount || max != partitionCount - 1)
            {
                throw new InvalidOperationException(
                    $"The cluster database has {count} partitions but AccountGrains:Cluster:PartitionCount is {partitionCount}; " +
                    "the partition count is fixed for the life of a cluster.");
            }
        }

        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// For a member that owns no partitions (a gateway, a client): fails when the table holds partitions and they are
    /// not exactly 0..<paramref name="partitionCount"/>-1, as this member would hash keys to partitions whose owners
    /// do not hold them. An empty table (no silo has started yet) passes; nothing is written.
    /// </summary>
    public async Task VerifyPartitionCountAsync(int partitionCount, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(partitionCount, 1);
        await using var command = ClusterCommands.Create(_dataSource, "SELECT count(*)::int, coalesce(max(partition), -1) FROM partition_leases");
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        await reader.ReadAsync(cancellationToken).ConfigureAwait(false);
        var (count, max) = (reader.GetInt32(0), reader.GetInt32(1));
        if (count != 0 && (count != partitionCount || max != partitionCount - 1))
        {
            throw new InvalidOperationException(
                $"The cluster has {count} partitions but this member's AccountGrains:Runtime:PartitionCount is {partitionCount}; " +
                "set it to the cluster's, or its calls would reach silos that do not own the keys.");
        }
    }

    /// <summary>
    /// Extends the leases <paramref name="owner"/> holds at the given epochs to now + <paramref name="duration"/>;
    /// returns the partitions renewed. A partition missing from the result is no longer this owner's at that epoch.
    /// </summary>
    public async Task<IReadOnlySet<int>> RenewAsync(string owner, IReadOnlyDictionary<int, long> leases, TimeSpan duration, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(leases);
        const string sql = """
            UPDATE partition_leases AS l
               SET expires_at = now() + @duration
              FROM unnest(@partitions, @epochs) AS m(partition, epoch)
             WHERE l.partition = m.partition AND l.epoch = m.epoch AND l.owner = @owner
            RETURNING l.partition
            """;
        var (partitions, epochs) = Split(leases);
        var renewed = new HashSet<int>();
        await using var command = ClusterCommands.Create(_dataSource, sql,
            ("duration", duration), ("partitions", partitions), ("epochs", epochs), ("owner", owner));
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            renewed.Add(reader.GetInt32(0));
        }

        return renewed;
    }

    /// <summary>
    /// Takes up to <paramref name="count"/> partitions that are free or whose lease expired (database clock), each at
    /// its epoch + 1; returns partition → new epoch. Concurrent callers skip each other's rows, and the WHERE is checked
    /// again on the locked row, so one partition is never won twice.
    /// </summary>
    public async Task<IReadOnlyDictionary<int, long>> AcquireAsync(string owner, int count, TimeSpan duration, CancellationToken cancellationToken = default)
    {
        const string sql = """
            UPDATE partition_leases
               SET owner = @owner, epoch = epoch + 1, expires_at = now() + @duration
             WHERE partition IN (SELECT partition FROM partition_leases
                                  WHERE owner IS NULL OR expires_at < now()
                                  ORDER BY partition LIMIT @count FOR UPDATE SKIP LOCKED)
               AND (owner IS NULL OR expires_at < now())
            RETURNING partition, epoch
            """;
        var acquired = new Dictionary<int, long>();
        if (count <= 0)
        {
            return acquired;
        }

        await using var command = ClusterCommands.Create(_dataSource, sql, ("owner", owner), ("duration", duration), ("count", count));
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            acquired[reader.GetInt32(0)] = reader.GetInt64(1);
        }

        return acquired;
    }

    /// <summary>
    /// Frees the leases <paramref name="owner"/> holds at the given epochs (owner null, epoch kept, so the next owner
    /// gets a higher one); returns the partitions released.
    /// </summary>
    public async Task<IReadOnlySet<int>> ReleaseAsync(string owner, IReadOnlyDictionary<int, long> leases, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(leases);
        const string sql = """
            UPDATE partition_leases AS l
               SET owner = NULL, expires_at = '-infinity'
              FROM unnest(@partitions, @epochs) AS m(partition, epoch)
             WHERE l.partition = m.partition AND l.epoch = m.epoch AND l.owner = @owner
            RETURNING l.partition
            """;
        var (partitions, epochs) = Split(leases);
        var released = new HashSet<int>();
        await using var command = ClusterCommands.Create(_dataSource, sql, ("partitions", partitions), ("epochs", epochs), ("owner", owner));
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            released.Add(reader.GetInt32(0));
        }

        return released;
    }

    /// <summary>Every lease row, ordered by partition.</summary>
    public async Task<IReadOnlyList<PartitionLease>> ReadAllAsync(CancellationToken cancellationToken = default)
    {
        await using var command = ClusterCommands.Create(_dataSource, "SELECT partition, owner, epoch, expires_at FROM partition_leases ORDER BY partition");
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        var leases = new List<PartitionLease>();
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            leases.Add(new PartitionLease(reader.GetInt32(0), reader.IsDBNull(1) ? null : reader.GetString(1), reader.GetInt64(2),
                reader.GetFieldValue<DateTimeOffset>(3)));
        }

        return leases;
    }

    private static (int[] Partitions, long[] Epochs) Split(IReadOnlyDictionary<int, long> leases)
    {
        var partitions = new int[leases.Count];
        var epochs = new long[leases.Count];
        var i = 0;
        foreach (var (partition, epoch) in leases)
        {
            partitions[i] = partition;
            epochs[i] = epoch;
            i++;
        }

        return (partitions, epochs);
    }

    private static void AddParameter(DbCommand command, string name, object value)
    {
        var parameter = command.CreateParameter();
        parameter.ParameterName = name;
        parameter.Value = value;
        command.Parameters.Add(parameter);
    }
}
