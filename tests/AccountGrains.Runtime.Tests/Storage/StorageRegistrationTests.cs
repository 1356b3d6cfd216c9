using AccountGrains.Runtime.Hosting;
using AccountGrains.Runtime.Storage;
using AccountGrains.Runtime.Storage.Postgres;
using AccountGrains.Runtime.Storage.Sqlite;
using AccountGrains.Runtime.Tests.TestSupport;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace AccountGrains.Runtime.Tests.Storage;

public sealed class StorageRegistrationTests
{
    [Fact]
    public async Task The_default_store_is_sqlite_without_history()
    {
        using var directory = new TempDirectory();
        await using var services = Build(new() { ["AccountGrains:Storage:SqlitePath"] = Path.Combine(directory.Path, "a.db") });

        var store = services.GetRequiredService<IAccountStore>().Should().BeOfType<SqliteAccountStore>().Subject;

        store.KeepsHistory.Should().BeFalse();
        services.GetRequiredService<IIngestStateStore>().Should().BeSameAs(store);
        services.GetRequiredService<IWalletStore>().Should().BeSameAs(store);
    }

    [Fact]
    public async Task Provider_postgres_gives_a_postgres_store_that_keeps_history_and_describes_itself_without_secrets()
    {
        await using var services = Build(new()
        {
            ["AccountGrains:Storage:Provider"] = "Postgres",
            ["AccountGrains:Storage:ConnectionString"] = "Host=db.internal;Port=5433;Username=ag;Password=s3cret;Database=grains",
            ["AccountGrains:Storage:HistoryRetention"] = "7.00:00:00",
        });

        var store = services.GetRequiredService<IAccountStore>().Should().BeOfType<PostgresAccountStore>().Subject;

        store.KeepsHistory.Should().BeTrue();
        store.Describe.Should().Be("postgres:db.internal:5433/grains", "the log shows where, never who or the password");
        services.GetRequiredService<IIngestStateStore>().Should().BeSameAs(store);
        services.GetRequiredService<IWalletStore>().Should().BeSameAs(store);
    }

    [Fact]
    public async Task A_store_that_cannot_hold_wallets_or_ingest_state_gets_in_memory_ones()
    {
        var services = new ServiceCollection();
        services.AddSingleton<IAccountStore>(new AccountsOnlyStore());
        services.AddLogging();
        services.AddAccountGrainsSilo(new ConfigurationBuilder().Build());
        await using var provider = services.BuildServiceProvider();

        provider.GetRequiredService<IWalletStore>().Should().BeOfType<InMemoryWalletStore>();
        provider.GetRequiredService<IIngestStateStore>().Should().BeOfType<InMemoryIngestStateStore>();
    }

    [Theory]
    [InlineData(1, 60)]
    [InlineData(60 * 24, 60 * 60)]
    [InlineData(100, 600)]
    public void History_is_pruned_every_tenth_of_the_retention_between_a_minute_and_an_hour(int retentionMinutes, int expectedSeconds)
    {
        AccountHistoryPruner.IntervalFor(TimeSpan.FromMinutes(retentionMinutes)).Should().Be(TimeSpan.FromSeconds(expectedSeconds));
    }

    private static ServiceProvider Build(Dictionary<string, string?> settings)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddAccountGrainsSilo(configuration);
        return services.BuildServiceProvider();
    }

    /// <summary>A store of accounts alone (as test doubles are).</summary>
    private sealed class AccountsOnlyStore : IAccountStore
    {
        public string Describe => "accounts-only";

        public Task<int> MigrateAsync(CancellationToken cancellationToken) => Task.FromResult(0);

        public Task<AccountState?> ReadAsync(string pubkey, CancellationToken cancellationToken) => Task.FromResult<AccountState?>(null);

        public Task<int> WriteAsync(IReadOnlyList<AccountState> states, CancellationToken cancellationToken) => Task.FromResult(0);
    }
}
