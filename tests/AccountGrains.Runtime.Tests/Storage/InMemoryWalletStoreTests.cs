using AccountGrains.Runtime.Storage;

namespace AccountGrains.Runtime.Tests.Storage;

/// <summary>The test double behaves as the database stores do (restarts aside: it keeps nothing).</summary>
public sealed class InMemoryWalletStoreTests : WalletStoreConformanceTests
{
    protected override IWalletStore NewStore() => new InMemoryWalletStore();
}
