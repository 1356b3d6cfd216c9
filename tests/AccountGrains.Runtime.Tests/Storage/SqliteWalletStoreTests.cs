using System.Data.Common;
using AccountGrains.Runtime.Storage.AdoNet;
using AccountGrains.Runtime.Storage.Sqlite;
using AccountGrains.Runtime.Tests.TestSupport;
using Microsoft.Data.Sqlite;

namespace AccountGrains.Runtime.Tests.Storage;

public sealed class SqliteWalletStoreTests : DatabaseWalletStoreConformanceTests, IDisposable
{
    private readonly TempDirectory _directory = new();

    private string DatabasePath => Path.Combine(_directory.Path, "accounts.db");

    protected override AdoNetAccountStore NewDatabaseStore() => new SqliteAccountStore(DatabasePath, TimeProvider.System);

    protected override DbConnection NewConnection() => new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = DatabasePath }.ToString());

    public void Dispose() => _directory.Dispose();
}
