using System.Data.Common;
using AccountGrains.Runtime.Storage;
using AccountGrains.Runtime.Storage.AdoNet;
using AccountGrains.Runtime.Tests.TestSupport;

namespace AccountGrains.Runtime.Tests.Storage;

/// <summary>
/// What a database's <see cref="IWalletStore"/> must do on top of the conformance tests: migrate once however often it
/// is opened, and keep everything across a restart (a new store instance over the same database).
/// </summary>
public abstract class DatabaseWalletStoreConformanceTests : WalletStoreConformanceTests
{
    /// <summary>A new store instance over the same database each call, not migrated yet.</summary>
    protected abstract AdoNetAccountStore NewDatabaseStore();

    /// <summary>A connection to the store's database, not open, for looking at what the store does not show.</summary>
    protected abstract DbConnection NewConnection();

    protected sealed override IWalletStore NewStore() => NewDatabaseStore();

    protected override Task PrepareAsync(IWalletStore store) => ((AdoNetAccountStore)store).MigrateAsync(None);

    [StoreFact]
    public async Task Opening_the_store_again_migrates_nothing_and_keeps_the_wallet_tables_as_they_were()
    {
        var wallet = TestWallets.Tracked(TestWallets.NewAddress());
        var activity = TestWallets.Activity(wallet.Address, "sig-1", 10);
        await Store.SaveWalletAsync(wallet, None);
        await Store.AddActivityAsync(activity, None);
        var first = (AdoNetAccountStore)Store;

        var version = await first.MigrateAsync(None);
        var reopened = (AdoNetAccountStore)await OpenStoreAsync();
        var again = await reopened.MigrateAsync(None);

        version.Should().Be(first.Dialect.Migrations[^1].Version);
        again.Should().Be(version);
        Convert.ToInt64(await ScalarAsync("SELECT COUNT(*) FROM schema_migrations"), System.Globalization.CultureInfo.InvariantCulture)
            .Should().Be(first.Dialect.Migrations.Count, "each migration ran once");
        (await reopened.ReadWalletAsync(wallet.Address, None)).Should().BeEquivalentTo(wallet, Exactly);
        (await reopened.AddActivityAsync(activity, None)).Should().BeFalse("the signature is still unique per wallet");
    }

    [StoreFact]
    public async Task Wallets_activity_and_dead_letters_survive_a_restart()
    {
        var wallet = TestWallets.Tracked(TestWallets.NewAddress());
        await Store.SaveWalletAsync(wallet, None);
        var address = await WalletWithActivityAsync();
        var letter = TestWallets.DeadLetter(address, "s3");
        await Store.AddDeadLetterAsync(letter, None);

        var restarted = await OpenStoreAsync();

        (await restarted.ReadWalletAsync(wallet.Address, None)).Should().BeEquivalentTo(wallet, Exactly);
        (await SignaturesAsync(address, null, 10, restarted)).Should().Equal(NewestFirst);
        (await restarted.ReadDeadLettersAsync(address, 10, None)).Should().Equal(letter);
        (await restarted.AddActivityAsync(TestWallets.Activity(address, "s1", 10), None)).Should().BeFalse();
        (await restarted.AddActivityAsync(TestWallets.Activity(address, "s6", 12), None)).Should().BeTrue();
        (await SignaturesAsync(address, null, 2, restarted)).Should().Equal(["s6", "s5"], "an entry added after the restart is the newest of its slot");
    }

    [StoreFact]
    public async Task The_tracked_column_says_whether_anybody_tracks_the_wallet()
    {
        var wallet = TestWallets.Tracked(TestWallets.NewAddress());
        var sql = $"SELECT tracked FROM wallets WHERE address = '{wallet.Address}'";

        await Store.SaveWalletAsync(wallet, None);
        Convert.ToBoolean(await ScalarAsync(sql), System.Globalization.CultureInfo.InvariantCulture).Should().BeTrue();

        await Store.SaveWalletAsync(wallet with { Trackers = [] }, None);
        Convert.ToBoolean(await ScalarAsync(sql), System.Globalization.CultureInfo.InvariantCulture).Should().BeFalse();
    }

    private async Task<object?> ScalarAsync(string sql)
    {
        await using var connection = NewConnection();
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        return await command.ExecuteScalarAsync();
    }
}
