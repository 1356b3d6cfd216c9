using AccountGrains.Cluster.Tests.Support;
using Xunit.Abstractions;

namespace AccountGrains.Cluster.Tests;

/// <summary>
/// The broker and the database restart mid-feed and nothing is lost. These restart the servers every test of the run
/// shares: the collection runs alone (the assembly is serial), and ./test.sh runs this project after all others.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class ServerRestartGroup
{
    public const string Name = "Server restarts";
}

[Collection(ServerRestartGroup.Name)]
public sealed class RestartTests(ITestOutputHelper output)
{
    [ClusterFact]
    public Task A_RabbitMQ_restart_mid_feed_loses_nothing() =>
        RestartMidFeedAsync("RabbitMQ", () => TestServers.RestartRabbitMqAsync(TimeSpan.FromSeconds(2)));

    [ClusterFact]
    public Task A_PostgreSQL_restart_mid_feed_loses_nothing_and_never_runs_a_partition_twice() =>
        RestartMidFeedAsync("PostgreSQL", () => TestServers.RestartPostgresAsync(TimeSpan.FromSeconds(2)));

    private async Task RestartMidFeedAsync(string server, Func<Task> restart)
    {
        var scenario = ReplayScenario.Generate(accounts: 500, updatesPerAccount: 20, seed: server.Length);
        var options = new TestClusterOptions
        {
            Silos = 2,
            Gateways = 1,
            ReplayUpdatesPerSecond = 700, // ~15 s of feed: the restart must land inside it whatever the machine's load
            // Leases still lapse during the outage (they are re-taken at a higher epoch), but members are not declared
            // dead: a restart shorter than DeadAfter must cost no member.
            Timings = ClusterTimings.Fast with { DeadAfter = TimeSpan.FromSeconds(10) },
        };
        var directory = Directory.CreateTempSubdirectory("accountgrains-restart-");
        try
        {
            options.ReplayFile = FeedRun.ReplayPathIn(directory.FullName);
            scenario.WriteTo(options.ReplayFile);
            await using var cluster = await TestCluster.StartNewAsync(options);
            var run = new FeedRun(cluster, scenario, output);
            await cluster.WaitForBalancedAsync();
            var sample = run.Sample(100);
            await using var subscriber = await RecordingSubscriber.StartAsync(cluster.Gateways[0].Address, sample, sockets: 4);

            await run.WaitForProgressAsync(0.3, TimeSpan.FromSeconds(60));
            await restart();
            output.WriteLine($"{server} restarted (2 s down)");

            var owned = await cluster.WaitForOwnershipAsync(TimeSpan.FromSeconds(30));
            output.WriteLine($"every partition owned again {owned.TotalSeconds:F2} s after {server} was back");
            cluster.RunningSilos.Should().HaveCount(2, "a server restart must not take a silo down\n" + cluster.DescribeLogs());
            await run.WaitUntilStoredAsync();
            await run.WaitUntilSubscriberCaughtUpAsync(subscriber, sample);
            run.ShouldShowNoPartitionTwiceAtOnce();
        }
        finally
        {
            directory.Delete(recursive: true);
        }
    }
}
