using System.Diagnostics;
using Xunit.Abstractions;

namespace AccountGrains.Cluster.Tests.Support;

/// <summary>
/// One generated replay file fed through a cluster, with the checks every feed test ends with: every stored account
/// equals the newest update, the subscriber's last state of each sampled key equals the newest and never went
/// backwards, and no partition was owned or processed twice at once.
/// </summary>
internal sealed class FeedRun(TestCluster cluster, ReplayScenario scenario, ITestOutputHelper output)
{
    public static readonly TimeSpan SettleTimeout = TimeSpan.FromSeconds(120);

    public TestCluster Cluster { get; } = cluster;

    public ReplayScenario Scenario { get; } = scenario;

    /// <summary>Writes the scenario into the cluster's folder; the options' ReplayFile must point there before the start.</summary>
    public static string ReplayPathIn(string directory) => Path.Combine(directory, "replay.jsonl");

    /// <summary>Sampled keys: every n-th pubkey, <paramref name="count"/> of them.</summary>
    public IReadOnlyList<string> Sample(int count) =>
        [.. Scenario.Pubkeys.Where((_, i) => i % Math.Max(1, Scenario.Pubkeys.Count / count) == 0).Take(count)];

    /// <summary>
    /// Waits until the feed has progressed past <paramref name="fraction"/> of its slots (the highest stored slot),
    /// for a fault to land mid-feed. Fails if the feed finished first.
    /// </summary>
    public async Task WaitForProgressAsync(double fraction, TimeSpan timeout)
    {
        var target = ReplayScenario.FirstSlot + (ulong)((Scenario.LastSlot - ReplayScenario.FirstSlot) * fraction);
        var deadline = Stopwatch.GetTimestamp() + (long)(timeout.TotalSeconds * Stopwatch.Frequency);
        while (true)
        {
            var accounts = await Cluster.ReadAccountsAsync();
            var highest = accounts.Count == 0 ? 0 : accounts.Values.Max(a => a.Slot);
            if (highest >= target)
            {
                var done = accounts.Count(a => Scenario.Newest.TryGetValue(a.Key, out var n) && n.Slot == a.Value.Slot && n.WriteVersion == a.Value.WriteVersion);
                output.WriteLine($"feed at slot {highest} ({(double)(highest - ReplayScenario.FirstSlot) / (Scenario.LastSlot - ReplayScenario.FirstSlot):P0}), {accounts.Count} accounts stored, {done} final");
                done.Should().BeLessThan(Scenario.Newest.Count, "the fault must land while the feed still runs; slow the replay down");
                return;
            }

            if (Stopwatch.GetTimestamp() > deadline)
            {
                throw new TimeoutException($"the feed did not reach slot {target} within {timeout.TotalSeconds:F0} s (highest stored {highest})\n{Cluster.DescribeLogs()}");
            }

            await Task.Delay(100);
        }
    }

    /// <summary>Waits until every account's stored row equals its newest update; the mismatches and logs otherwise.</summary>
    public async Task<TimeSpan> WaitUntilStoredAsync()
    {
        var started = Stopwatch.GetTimestamp();
        IReadOnlyList<string> wrong = [];
        while (Stopwatch.GetElapsedTime(started) < SettleTimeout)
        {
            try
            {
                wrong = Mismatches(await Cluster.ReadAccountsAsync());
            }
            catch (Npgsql.NpgsqlException e)
            {
                wrong = ["database: " + e.Message];
            }

            if (wrong.Count == 0)
            {
                return Stopwatch.GetElapsedTime(started);
            }

            await Task.Delay(250);
        }

        throw new TimeoutException(
            $"after {SettleTimeout.TotalSeconds:F0} s {wrong.Count} of {Scenario.Newest.Count} accounts are not stored at their newest update, e.g.\n  " +
            string.Join("\n  ", wrong.Take(10)) + "\n" + Cluster.DescribeLogs());
    }

    /// <summary>Stored rows that differ from the newest update (or are missing).</summary>
    public IReadOnlyList<string> Mismatches(IReadOnlyDictionary<string, StoredAccount> stored)
    {
        var wrong = new List<string>();
        foreach (var (pubkey, newest) in Scenario.Newest)
        {
            if (!stored.TryGetValue(pubkey, out var row))
            {
                wrong.Add($"{pubkey}: missing (newest slot {newest.Slot}, write version {newest.WriteVersion})");
            }
            else if (row.Slot != newest.Slot || row.WriteVersion != newest.WriteVersion || row.Lamports != newest.Lamports || row.Owner != newest.Owner)
            {
                wrong.Add($"{pubkey}: stored slot {row.Slot} wv {row.WriteVersion} lamports {row.Lamports}, newest slot {newest.Slot} wv {newest.WriteVersion} lamports {newest.Lamports}");
            }
        }

        return wrong;
    }

    /// <summary>Waits until the subscriber's last state of every key it follows is the newest; then checks order.</summary>
    public async Task WaitUntilSubscriberCaughtUpAsync(RecordingSubscriber subscriber, IReadOnlyList<string> keys)
    {
        try
        {
            await Waits.UntilAsync(() => keys.All(k => subscriber.Last(k) is { } last && last.WriteVersion == Scenario.Newest[k].WriteVersion && last.Slot == Scenario.Newest[k].Slot),
                "the subscriber to see every sampled key's newest state");
        }
        catch (TimeoutException e)
        {
            var behind = keys.Where(k => subscriber.Last(k)?.WriteVersion != Scenario.Newest[k].WriteVersion).ToList();
            throw new TimeoutException(
                $"{e.Message}: {behind.Count} of {keys.Count} keys behind, e.g. " +
                string.Join("; ", behind.Take(5).Select(k => $"{k} last {subscriber.Last(k)?.ToString() ?? "nothing"}, newest wv {Scenario.Newest[k].WriteVersion}")) +
                $"; subscriber errors: {string.Join(" | ", subscriber.Errors.Take(5))}\n{Cluster.DescribeLogs()}", e);
        }

        foreach (var key in keys)
        {
            subscriber.Last(key)!.Lamports.Should().Be(Scenario.Newest[key].Lamports, key);
        }

        subscriber.Regressions().Should().BeEmpty("a subscriber never sees a key's (slot, write_version) go backwards");
        output.WriteLine($"subscriber: {subscriber.MessageCount} account messages over {keys.Count} keys, {subscriber.Connections} connection(s), errors: {subscriber.Errors.Count}");
    }

    /// <summary>No partition owned or processed by two silos at once; and the processing events exist, so the check is not vacuous.</summary>
    public void ShouldShowNoPartitionTwiceAtOnce()
    {
        var events = Cluster.PartitionEvents;
        events.Should().Contain(e => e.Kind == PartitionEventKind.Acquired, "the silos log lease acquisitions (1220)");
        events.Should().Contain(e => e.Kind == PartitionEventKind.ProcessingStarted, "the silos log when they start processing a partition (1230)");
        Cluster.Leases.Changes.Should().NotBeEmpty();
        Cluster.PartitionViolations().Should().BeEmpty(Cluster.DescribeLogs(10));
        output.WriteLine($"ownership: {Cluster.Leases.Changes.Count} lease changes seen over {Cluster.Leases.Polls} polls, {events.Count} partition events");
    }
}
