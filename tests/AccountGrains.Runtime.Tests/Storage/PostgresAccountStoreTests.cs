using AccountGrains.Runtime.Storage.AdoNet;
using AccountGrains.Runtime.Storage.Postgres;
using AccountGrains.Runtime.Tests.TestSupport;
using Npgsql;

namespace AccountGrains.Runtime.Tests.Storage;

/// <summary>
/// The conformance tests against the real PostgreSQL of <c>scripts/test-servers.sh</c>, in a schema of this class's
/// own, plus what only a server shows: concurrent migrators and writers. Skipped when
/// <c>ACCOUNTGRAINS_TEST_POSTGRES</c> is unset.
/// </summary>
[RequiresPostgres]
public sealed class PostgresAccountStoreTests(PostgresSchema schema) : AccountStoreConformanceTests, IClassFixture<PostgresSchema>
{
    private static readonly CancellationToken None = CancellationToken.None;

    protected override AdoNetAccountStore NewStore(bool keepHistory, TimeProvider time) =>
        new PostgresAccountStore(schema.ConnectionString, time) { KeepsHistory = keepHistory };

    [PostgresFact]
    public async Task Several_processes_migrating_an_empty_database_at_once_all_succeed_with_one_version()
    {
        var empty = await schema.CreateAsync();
        var stores = Enumerable.Range(0, 8).Select(_ => new PostgresAccountStore(empty, TimeProvider.System)).ToArray();
        try
        {
            var versions = await Task.WhenAll(stores.Select(s => Task.Run(() => s.MigrateAsync(None))));

            versions.Should().AllBeEquivalentTo(PostgresDialect.Instance.Migrations[^1].Version);
            await using var connection = new NpgsqlConnection(empty);
            await connection.OpenAsync();
            await using var count = new NpgsqlCommand("SELECT count(*) FROM schema_migrations", connection);
            (await count.ExecuteScalarAsync()).Should().Be((long)PostgresDialect.Instance.Migrations.Count, "each migration ran once");
        }
        finally
        {
            foreach (var store in stores)
            {
                await store.DisposeAsync();
            }
        }
    }

    [PostgresFact]
    public async Task Concurrent_writers_of_overlapping_accounts_leave_every_account_at_its_newest_state()
    {
        var pubkeys = Enumerable.Range(0, 300).Select(_ => TestAccounts.NewPubkey()).ToArray();
        var writers = Enumerable.Range(0, 4).Select(_ => CreateStore(keepHistory: true)).ToArray();

        // Each writer sends every account's tokens 1..40 in its own shuffled order, in batches of 500.
        var tasks = writers.Select((writer, w) => Task.Run(async () =>
        {
            var random = new Random(w);
            var states = pubkeys.SelectMany(p => Enumerable.Range(1, 40).Select(v => TestAccounts.State(p, 500, (ulong)v, lamports: (ulong)v))).ToArray();
            random.Shuffle(states);
            foreach (var batch in states.Chunk(500))
            {
                await writer.WriteAsync(batch, None);
            }
        }));
        await Task.WhenAll(tasks);

        foreach (var pubkey in pubkeys)
        {
            var read = await Store.ReadAsync(pubkey, None);
            read!.WriteVersion.Should().Be(40);
            read.Lamports.Should().Be(40);
            var history = await writers[0].ReadHistoryAsync(pubkey, 100, None);
            history.Select(h => h.WriteVersion).Should().BeInDescendingOrder().And.OnlyHaveUniqueItems();
            history[0].WriteVersion.Should().Be(40);
        }
    }

    [PostgresFact]
    public async Task Twenty_thousand_states_in_batches_of_two_thousand_are_all_stored()
    {
        var states = Enumerable.Range(0, 20_000)
            .Select(i => TestAccounts.State(TestAccounts.NewPubkey(), (ulong)(1000 + i), (ulong)i, lamports: (ulong)i))
            .ToArray();

        var changed = 0;
        foreach (var batch in states.Chunk(2_000))
        {
            changed += await Store.WriteAsync(batch, None);
        }

        changed.Should().Be(20_000);
        await ShouldReadBackAsync(Store, states[^1]);
    }
}
