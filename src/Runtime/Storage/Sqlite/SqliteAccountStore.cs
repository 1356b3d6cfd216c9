using System.Data.Common;
using AccountGrains.Runtime.Storage.AdoNet;
using Microsoft.Data.Sqlite;

namespace AccountGrains.Runtime.Storage.Sqlite;

/// <summary>
/// The embedded store: one SQLite file in WAL mode. Connections come from Microsoft.Data.Sqlite's pool; each open
/// sets the per-connection pragmas.
/// </summary>
public sealed class SqliteAccountStore : AdoNetAccountStore
{
    private readonly string _connectionString;
    private readonly string _path;
    private int _walEnabled;

    public SqliteAccountStore(string path, TimeProvider time)
        : base(SqliteDialect.Instance, time)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        _path = path == ":memory:" ? path : Path.GetFullPath(path);
        if (_path != ":memory:")
        {
            var directory = Path.GetDirectoryName(_path);
            if (!string.IsNullOrEmpty(directory))
            {
                Directory.CreateDirectory(directory);
            }
        }

        _connectionString = new SqliteConnectionStringBuilder
        {
            DataSource = _path,
            Mode = SqliteOpenMode.ReadWriteCreate,
            Pooling = true,
            DefaultTimeout = 30,
        }.ToString();
    }

    public override string Describe => $"sqlite:{_path}";

    protected override async ValueTask<DbConnection> OpenConnectionAsync(CancellationToken cancellationToken)
    {
        var connection = new SqliteConnection(_connectionString);
        try
        {
            await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
            await using var pragmas = connection.CreateCommand();
            // WAL is a property of the file (set once); the others belong to each connection.
            pragmas.CommandText = Interlocked.Exchange(ref _walEnabled, 1) == 0
                ? "PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; PRAGMA busy_timeout = 10000;"
                : "PRAGMA synchronous = NORMAL; PRAGMA busy_timeout = 10000;";
            await pragmas.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            return connection;
        }
        catch
        {
            await connection.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }
}
