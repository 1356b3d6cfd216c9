using System.Data.Common;
using AccountGrains.Runtime.Storage.AdoNet;
using AccountGrains.Runtime.Storage.Postgres;
using AccountGrains.Runtime.Tests.TestSupport;
using Npgsql;

namespace AccountGrains.Runtime.Tests.Storage;

/// <summary>
/// The wallet store conformance tests against the real PostgreSQL of <c>scripts/test-servers.sh</c>, in a schema of
/// this class's own, plus concurrent writers. Skipped when <c>ACCOUNTGRAINS_TEST_POSTGRES</c> is unset.
/// </summary>
[RequiresPostgres]
public sealed class PostgresWalletStoreTests(PostgresSchema schema) : DatabaseWalletStoreConformanceTests, IClassFixture<PostgresSchema>
{
    protected override AdoNetAccountStore NewDatabaseStore() => new PostgresAccountStore(schema.ConnectionString, TimeProvider.System);

    protected override DbConnection NewConnection() => new NpgsqlConnection(schema.ConnectionString);

    [PostgresFact]
    public async Task Of_several_silos_adding_the_same_activity_at_once_exactly_one_records_it()
    {
        var wallet = TestWallets.NewAddress();
        var activity = TestWallets.Activity(wallet, "sig-race", 10);
        var stores = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => OpenStoreAsync()));

        var added = await Task.WhenAll(stores.Select(s => Task.Run(() => s.AddActivityAsync(activity, None))));

        added.Count(a => a).Should().Be(1);
        (await Store.ReadActivityAsync(wallet, new ActivityQuery(null, 10), None)).Should().ContainSingle();
    }
}
