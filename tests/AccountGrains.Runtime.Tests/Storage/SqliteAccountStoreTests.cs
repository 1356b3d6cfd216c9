using AccountGrains.Runtime.Storage;
using AccountGrains.Runtime.Storage.Sqlite;
using AccountGrains.Runtime.Tests.TestSupport;

namespace AccountGrains.Runtime.Tests.Storage;

public sealed class SqliteAccountStoreTests : AccountStoreConformanceTests, IDisposable
{
    private readonly TempDirectory _directory = new();

    protected override IAccountStore CreateStore() => new SqliteAccountStore(Path.Combine(_directory.Path, "accounts.db"), TimeProvider.System);

    public void Dispose() => _directory.Dispose();
}
