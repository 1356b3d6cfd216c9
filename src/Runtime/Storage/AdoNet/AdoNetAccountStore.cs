using System.Data.Common;
using System.Diagnostics;

namespace AccountGrains.Runtime.Storage.AdoNet;

/// <summary>
/// <see cref="IAccountStore"/> over any ADO.NET provider: the provider supplies connections and a
/// <see cref="SqlDialect"/>. A batch is written in one transaction, as few statements as the provider allows.
/// </summary>
public abstract partial class AdoNetAccountStore : IAccountStore
{
    private readonly TimeProvider _time;
    private readonly Dictionary<int, string> _upsertByRows = [];
    private readonly Lock _sqlCacheGate = new();

    protected AdoNetAccountStore(SqlDialect dialect, TimeProvider time)
    {
        Dialect = dialect;
        _time = time;
        RowsPerStatement = Math.Max(1, dialect.MaxParameters / AccountTable.ColumnCount);
    }

    public SqlDialect Dialect { get; }

    public abstract string Describe { get; }

    /// <summary>
    /// Lease epoch written with each row; 0 in embedded mode where one silo owns everything. A write never replaces a
    /// row of a higher epoch (see <see cref="AccountTable.UpsertGuard"/>). In a cluster use <see cref="EpochOf"/>:
    /// epochs belong to partitions, not to the store.
    /// </summary>
    public long Epoch { get; set; }

    /// <summary>
    /// The epoch of the lease under which a pubkey's row is written (its partition's), when set; otherwise
    /// <see cref="Epoch"/>. A silo owning partitions at different epochs must write each row with its own.
    /// </summary>
    public Func<string, long>? EpochOf { get; set; }

    /// <summary>The epoch written with <paramref name="pubkey"/>'s row.</summary>
    protected long EpochFor(string pubkey) => EpochOf?.Invoke(pubkey) ?? Epoch;

    /// <summary>Whether each write also adds its changed states to <c>account_history</c>. Off by default.</summary>
    public bool KeepsHistory { get; init; }

    private int RowsPerStatement { get; }

    /// <summary>An open connection ready for use.</summary>
    protected abstract ValueTask<DbConnection> OpenConnectionAsync(CancellationToken cancellationToken);

    public async Task<int> MigrateAsync(CancellationToken cancellationToken)
    {
        var connection = await OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using (connection.ConfigureAwait(false))
        {
            var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
            await using (transaction.ConfigureAwait(false))
            {
                if (Dialect.MigrationLock.Length > 0)
                {
                    await ExecuteAsync(connection, transaction, Dialect.MigrationLock, cancellationToken).ConfigureAwait(false);
                }

                await ExecuteAsync(connection, transaction,
                    "CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, applied_at_ms BIGINT NOT NULL)",
                    cancellationToken).ConfigureAwait(false);

                var current = await CurrentVersionAsync(connection, transaction, cancellationToken).ConfigureAwait(false);
                foreach (var (version, script) in Dialect.Migrations)
                {
                    if (version <= current)
                    {
                        continue;
                    }

                    await ExecuteAsync(connection, transaction, script, cancellationToken).ConfigureAwait(false);
                    await using var record = connection.CreateCommand();
                    record.Transaction = transaction;
                    record.CommandText = "INSERT INTO schema_migrations (version, applied_at_ms) VALUES (@version, @at)";
                    AddParameter(record, "@version", version);
                    AddParameter(record, "@at", _time.GetUtcNow().ToUnixTimeMilliseconds());
                    await record.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
                    current = version;
                }

                await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
                return current;
            }
        }
    }

    public async Task<AccountState?> ReadAsync(string pubkey, CancellationToken cancellationToken)
    {
        var connection = await OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using (connection.ConfigureAwait(false))
        {
            await using var command = connection.CreateCommand();
            command.CommandText = AccountTable.SelectByPubkey;
            AddParameter(command, "@pubkey", pubkey);
            var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            await using (reader.ConfigureAwait(false))
            {
                return await reader.ReadAsync(cancellationToken).ConfigureAwait(false) ? AccountTable.Read(reader) : null;
            }
        }
    }

    public async Task<int> WriteAsync(IReadOnlyList<AccountState> states, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(states);
        if (states.Count == 0)
        {
            return 0;
        }

        // One statement may not touch a row twice (PostgreSQL refuses it): keep the newest state per pubkey. Sorted by
        // pubkey, so concurrent writers lock shared rows in the same order and cannot deadlock each other.
        var newest = NewestPerPubkey(states);
        var nowMs = _time.GetUtcNow().ToUnixTimeMilliseconds();
        int changed;
        var connection = await OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using (connection.ConfigureAwait(false))
        {
            var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
            await using (transaction.ConfigureAwait(false))
            {
                changed = await WriteRowsAsync(connection, transaction, newest, nowMs, cancellationToken).ConfigureAwait(false);
                await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
            }
        }

        return changed;
    }

    /// <summary>
    /// Upserts <paramref name="newest"/> (one state per pubkey, sorted by pubkey) inside <paramref name="transaction"/>
    /// with the epoch guard, adds their history rows when <see cref="KeepsHistory"/>, and returns how many accounts
    /// changed. This one uses multi-row <c>VALUES</c> upserts of <see cref="SqlDialect.MaxParameters"/> parameters;
    /// a provider with a faster bulk path overrides it.
    /// </summary>
    protected virtual async Task<int> WriteRowsAsync(
        DbConnection connection, DbTransaction transaction, IReadOnlyList<AccountState> newest, long nowMs, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(connection);
        ArgumentNullException.ThrowIfNull(newest);

        // History needs to know which rows changed: with one row per statement the affected count says it.
        var rowsPerStatement = KeepsHistory ? 1 : RowsPerStatement;
        var changed = 0;

        // Full chunks reuse one prepared command with new values; only the last, shorter chunk needs its own.
        DbCommand? full = null;
        DbCommand? history = null;
        try
        {
            for (var start = 0; start < newest.Count; start += rowsPerStatement)
            {
                var rows = Math.Min(rowsPerStatement, newest.Count - start);
                var command = rows == rowsPerStatement
                    ? full ??= CreateUpsert(connection, transaction, rows)
                    : CreateUpsert(connection, transaction, rows);
                try
                {
                    for (var row = 0; row < rows; row++)
                    {
                        AccountTable.SetValues(command, row, newest[start + row], EpochFor(newest[start + row].Pubkey), nowMs);
                    }

                    var affected = await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
                    changed += affected;
                    if (KeepsHistory && affected == 1)
                    {
                        history ??= CreateHistoryInsert(connection, transaction);
                        AccountHistoryTable.SetValues(history, newest[start], nowMs);
                        await history.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
                    }
                }
                finally
                {
                    if (!ReferenceEquals(command, full))
                    {
                        await command.DisposeAsync().ConfigureAwait(false);
                    }
                }
            }
        }
        finally
        {
            if (full is not null)
            {
                await full.DisposeAsync().ConfigureAwait(false);
            }

            if (history is not null)
            {
                await history.DisposeAsync().ConfigureAwait(false);
            }
        }

        return changed;
    }

    protected static void AddParameter(DbCommand command, string name, object value)
    {
        ArgumentNullException.ThrowIfNull(command);
        var parameter = command.CreateParameter();
        parameter.ParameterName = name;
        parameter.Value = value;
        command.Parameters.Add(parameter);
    }

    private static List<AccountState> NewestPerPubkey(IReadOnlyList<AccountState> states)
    {
        var byPubkey = new Dictionary<string, AccountState>(states.Count, StringComparer.Ordinal);
        foreach (var state in states)
        {
            if (!byPubkey.TryGetValue(state.Pubkey, out var seen) || state.Token > seen.Token)
            {
                byPubkey[state.Pubkey] = state;
            }
        }

        var sorted = byPubkey.Values.ToList();
        sorted.Sort(static (a, b) => string.CompareOrdinal(a.Pubkey, b.Pubkey));
        return sorted;
    }

    private static async Task ExecuteAsync(DbConnection connection, DbTransaction transaction, string sql, CancellationToken cancellationToken)
    {
        await using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = sql;
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    private static async Task<int> CurrentVersionAsync(DbConnection connection, DbTransaction transaction, CancellationToken cancellationToken)
    {
        await using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = "SELECT COALESCE(MAX(version), 0) FROM schema_migrations";
        var value = await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false);
        Debug.Assert(value is not null, "MAX over an empty table gives a row");
        return Convert.ToInt32(value, System.Globalization.CultureInfo.InvariantCulture);
    }

    private static DbCommand CreateHistoryInsert(DbConnection connection, DbTransaction transaction)
    {
        var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = AccountHistoryTable.InsertOne;
        AccountHistoryTable.AddParameters(command);
        return command;
    }

    private DbCommand CreateUpsert(DbConnection connection, DbTransaction transaction, int rows)
    {
        var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = UpsertSql(rows);
        AccountTable.AddParameters(command, rows);
        return command;
    }

    private string UpsertSql(int rows)
    {
        lock (_sqlCacheGate)
        {
            if (!_upsertByRows.TryGetValue(rows, out var sql))
            {
                sql = AccountTable.Upsert(rows);
                _upsertByRows[rows] = sql;
            }

            return sql;
        }
    }
}
