using AccountGrains.Runtime.Storage.AdoNet;
using AccountGrains.Runtime.Storage.Sqlite;
using AccountGrains.Runtime.Tests.TestSupport;

namespace AccountGrains.Runtime.Tests.Storage;

public sealed class SqliteAccountStoreTests : AccountStoreConformanceTests, IDisposable
{
    private readonly TempDirectory _directory = new();

    protected override AdoNetAccountStore NewStore(bool keepHistory, TimeProvider time) =>
        new SqliteAccountStore(Path.Combine(_directory.Path, "accounts.db"), time) { KeepsHistory = keepHistory };

    public void Dispose() => _directory.Dispose();
}
