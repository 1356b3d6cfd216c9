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
}
