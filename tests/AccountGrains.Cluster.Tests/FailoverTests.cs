using AccountGrains.Cluster.Tests.Support;
using Xunit.Abstractions;

namespace AccountGrains.Cluster.Tests;

/// <summary>
/// Architecture guarantees 1-3 on real processes: 100,000 updates over 5,000 accounts (duplicated, reordered, stale
/// re-sends) through 3 silos and a gateway, one silo killed with SIGKILL mid-feed.
/// </summary>
public sealed class FailoverTests(ITestOutputHelper output)
{
    /// <summary>A kill must be followed by full ownership within this (issue 5).</summary>
    private static readonly TimeSpan OwnershipAfterKill = TimeSpan.FromSeconds(15);

    [ClusterFact]
    public Task Killing_a_silo_that_is_not_the_ingest_leader_mid_feed_loses_no_state_and_never_runs_a_partition_twice() =>
        KillMidFeedAsync(killIngestLeader: false, accounts: 5_000, sampled: 500, rate: 3_000);

    [ClusterFact]
    public Task Killing_the_ingest_leader_mid_feed_moves_the_ingest_to_another_silo_which_replays_and_loses_nothing() =>
        KillMidFeedAsync(killIngestLeader: true, accounts: 1_250, sampled: 200, rate: 1_500);

    [ClusterFact]
    public async Task A_gracefully_stopped_silo_hands_its_partitions_over_before_they_expire_and_exits_0()
    {
        await using var cluster = await TestCluster.StartNewAsync(new TestClusterOptions { Silos = 3, Gateways = 1 });
        await cluster.WaitForBalancedAsync();
        var members = await cluster.ReadMembersAsync();
        members.Should().Contain(m => m.MemberId == "gateway-1" && m.Kind == "gateway" && m.Status == "active");
        (await cluster.ReadLeasesAsync()).Leases.Should().NotContain(l => l.Owner == "gateway-1", "gateways host no grains");

        var leaving = cluster.Silos[1];
        var code = await leaving.StopAsync();
        var handover = await cluster.WaitForBalancedAsync();

        code.Should().Be(0, leaving.Tail());
        output.WriteLine($"partitions balanced over 2 silos {handover.TotalSeconds:F2} s after {leaving.MemberId} exited");
        handover.Should().BeLessThan(ClusterTimings.Fast.LeaseDuration, "released leases are taken at the next round, not after they expire");
        leaving.PartitionEvents.Where(e => e.Kind == PartitionEventKind.Lost && e.Timestamp >= leaving.StopRequestedAt)
            .Should().NotBeEmpty().And.OnlyContain(e => e.Reason == "Stopping");
        leaving.OwnedPartitions.Should().BeEmpty("a graceful stop gives back every partition it held");
        (await cluster.ReadMembersAsync()).Should().NotContain(m => m.MemberId == leaving.MemberId, "a graceful stop leaves the membership");

        var added = await cluster.StartSiloAsync();
        await cluster.WaitForBalancedAsync();
        added.MemberId.Should().Be("silo-4", "member ids are never reused");
        await added.WaitForLogAsync(e => e.EventId == HostEventIds.PartitionAcquired, TimeSpan.FromSeconds(10), "a partition acquired (1220)");
        cluster.PartitionViolations().Should().BeEmpty(cluster.DescribeLogs(10));
    }

    private async Task KillMidFeedAsync(bool killIngestLeader, int accounts, int sampled, double rate)
    {
        var scenario = ReplayScenario.Generate(accounts, updatesPerAccount: 20, seed: accounts);
        var options = new TestClusterOptions { Silos = 3, Gateways = 1, ReplayUpdatesPerSecond = rate };
        var directory = Directory.CreateTempSubdirectory("accountgrains-feed-");
        try
        {
            options.ReplayFile = FeedRun.ReplayPathIn(directory.FullName);
            scenario.WriteTo(options.ReplayFile);
            output.WriteLine($"{scenario.Lines.Count} lines over {accounts} accounts ({scenario.Duplicates} duplicates, {scenario.StaleResends} stale re-sends)");

            await using var cluster = await TestCluster.StartNewAsync(options);
            var run = new FeedRun(cluster, scenario, output);
            var balanced = await cluster.WaitForBalancedAsync();
            output.WriteLine($"3 silos and a gateway ready, partitions balanced {balanced.TotalSeconds:F2} s later");
            var sample = run.Sample(sampled);
            await using var subscriber = await RecordingSubscriber.StartAsync(cluster.Gateways[0].Address, sample, sockets: 10);
            output.WriteLine($"{sample.Count} subscriptions over 10 sockets answered in {subscriber.SubscribedIn.TotalSeconds:F1} s");

            await run.WaitForProgressAsync(0.4, TimeSpan.FromSeconds(60));
            var leader = cluster.IngestLeader ?? throw new InvalidOperationException("no silo logged that its ingest started (2001)\n" + cluster.DescribeLogs());
            cluster.RunningSilos.Should().HaveCount(3, $"no silo may die before the kill ({string.Join(", ", cluster.Silos)})\n{cluster.DescribeLogs(40)}");
            var victim = killIngestLeader ? leader : cluster.RunningSilos.First(s => s != leader);
            await victim.KillAsync();
            var ownership = await cluster.WaitForOwnershipAsync(OwnershipAfterKill);
            output.WriteLine($"killed {victim.MemberId} ({(victim == leader ? "the ingest leader" : $"not the ingest leader, {leader.MemberId}")}); every partition owned by a live silo again {ownership.TotalSeconds:F2} s later");

            if (killIngestLeader)
            {
                var successor = await Task.WhenAny(cluster.RunningSilos.Select(s => s.WaitForLogAsync(
                    e => e.EventId == HostEventIds.IngestReading && e.Timestamp > victim.KilledAt, TimeSpan.FromSeconds(30), "its ingest taking over (2001)")));
                output.WriteLine($"the ingest moved to {(await successor).Member}");
            }

            var settled = await run.WaitUntilStoredAsync();
            output.WriteLine($"all {accounts} accounts stored at their newest update {settled.TotalSeconds:F1} s after the ownership was back");
            await run.WaitUntilSubscriberCaughtUpAsync(subscriber, sample);
            run.ShouldShowNoPartitionTwiceAtOnce();
            cluster.PartitionEvents.Where(e => e.Member == victim.MemberId).Should().OnlyContain(e => e.Timestamp <= victim.KilledAt, "a killed process logs nothing after its death");
        }
        finally
        {
            directory.Delete(recursive: true);
        }
    }
}
