using AccountGrains.Cluster.Tests.Support;
using Xunit.Abstractions;

namespace AccountGrains.Cluster.Tests;

/// <summary>
/// The feed checks of the cluster tests (generated file, progress, stored state, subscriber) on what runs today: one
/// embedded gateway storing into PostgreSQL, killed mid-feed and replaced by another that replays the file from the
/// start. The newest state must win all the same; the grains drop what the replacement sends again.
/// </summary>
public sealed class FeedHarnessTests(ITestOutputHelper output)
{
    [PostgresFact]
    public async Task An_embedded_gateway_killed_mid_feed_and_replaced_ends_with_every_account_at_its_newest_update()
    {
        var schema = new PostgresSchema();
        var directory = Directory.CreateTempSubdirectory("accountgrains-feed-");
        try
        {
            var scenario = ReplayScenario.Generate(accounts: 1_000, updatesPerAccount: 20, seed: 11);
            scenario.Lines.Count.Should().BeGreaterThan(20_000, "duplicates and stale re-sends come on top");
            scenario.Duplicates.Should().BePositive();
            scenario.StaleResends.Should().BePositive();
            var options = new TestClusterOptions
            {
                Mode = TestClusterMode.Embedded,
                Silos = 0,
                Gateways = 1,
                ReplayUpdatesPerSecond = 4_000,
                PostgresConnectionString = await schema.CreateAsync(),
                ReplayFile = FeedRun.ReplayPathIn(directory.FullName),
            };
            scenario.WriteTo(options.ReplayFile);
            await using var cluster = await TestCluster.StartNewAsync(options);
            var run = new FeedRun(cluster, scenario, output);

            await run.WaitForProgressAsync(0.3, TimeSpan.FromSeconds(60));
            await cluster.Gateways[0].KillAsync();
            run.Mismatches(await cluster.ReadAccountsAsync()).Should().NotBeEmpty("the feed was cut short");
            var replacement = await cluster.StartGatewayAsync();
            var sample = run.Sample(100);
            await using var subscriber = await RecordingSubscriber.StartAsync(replacement.Address, sample);

            await run.WaitUntilStoredAsync();
            await run.WaitUntilSubscriberCaughtUpAsync(subscriber, sample);
            replacement.MemberId.Should().Be("gateway-2");
        }
        finally
        {
            await schema.DisposeAsync();
            directory.Delete(recursive: true);
        }
    }
}
