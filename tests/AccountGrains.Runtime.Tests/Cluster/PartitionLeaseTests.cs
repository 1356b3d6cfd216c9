using System.Diagnostics.Metrics;

using AccountGrains.Runtime.Cluster;
using Microsoft.Extensions.DependencyInjection;

namespace AccountGrains.Runtime.Tests.Cluster;

public sealed class PartitionLeaseTests : IAsyncLifetime
{
    private const int Partitions = 64;
    private readonly LeaseHistory _history = new();
    private readonly List<TestClusterSilo> _silos = [];
    private ClusterTestDatabase _database = null!;

    public async Task InitializeAsync()
    {
        if (PostgresTestDatabase.ConnectionString is not null)
        {
            _database = await ClusterTestDatabase.CreateAsync();
        }
    }

    public async Task DisposeAsync()
    {
        foreach (var silo in _silos)
        {
            await silo.DisposeAsync();
        }

        if (_database is not null)
        {
            await _database.DisposeAsync();
        }
    }

    [PostgresFact]
    public async Task One_silo_takes_all_64_partitions()
    {
        var silo = await StartAsync("silo-a");

        await ClusterTests.UntilAsync(() => silo.OwnedCount == Partitions, "one silo owns every partition");

        var rows = (await ReadLeasesAsync()).Values.ToList();
        rows.Should().HaveCount(Partitions).And.OnlyContain(r => r.Owner == "silo-a" && r.Epoch == 1);
        silo.RequiredLeases.OwnedPartitions.Should().BeEquivalentTo(rows.ToDictionary(r => r.Partition, r => r.Epoch));
        silo.RequiredLeases.IsOwned(7, 1).Should().BeTrue();
        silo.RequiredLeases.IsOwned(7, 2).Should().BeFalse("a different epoch is not this silo's lease");
        _history.ShouldShowNoPartitionOwnedTwice();
    }

    [PostgresFact]
    public async Task Three_silos_converge_to_22_21_21_with_every_partition_owned_once()
    {
        await Task.WhenAll(StartAsync("silo-a"), StartAsync("silo-b"), StartAsync("silo-c"));

        await UntilConvergedAsync([22, 21, 21]);

        _history.ShouldShowNoPartitionOwnedTwice();
    }

    [PostgresFact]
    public async Task A_new_silo_gets_its_share_from_the_running_ones()
    {
        await StartAsync("silo-a");
        await UntilConvergedAsync([64]);

        await StartAsync("silo-b");

        await UntilConvergedAsync([32, 32]);
        _history.Entries.Should().Contain(e => e.Silo == "silo-a" && e.Reason == LeaseLossReason.Released);
        _history.ShouldShowNoPartitionOwnedTwice();
    }

    [PostgresFact]
    public async Task A_killed_silos_partitions_are_owned_again_by_the_others_at_higher_epochs()
    {
        await Task.WhenAll(StartAsync("silo-a"), StartAsync("silo-b"), StartAsync("silo-c"));
        await UntilConvergedAsync([22, 21, 21]);
        var victim = _silos.Single(s => s.Name == "silo-b");
        var before = (await ReadLeasesAsync()).Values.Where(r => r.Owner == victim.Name).ToDictionary(r => r.Partition, r => r.Epoch);

        await victim.KillAsync(_history);
        _silos.Remove(victim);

        await UntilConvergedAsync([32, 32], ClusterTests.LeaseDuration + TimeSpan.FromSeconds(10));
        var after = await ReadLeasesAsync();
        foreach (var (partition, epoch) in before)
        {
            after[partition].Owner.Should().BeOneOf("silo-a", "silo-c");
            after[partition].Epoch.Should().BeGreaterThan(epoch, $"partition {partition} changed owner");
        }

        _history.ShouldShowNoPartitionOwnedTwice();
    }

    [PostgresFact]
    public async Task A_graceful_stop_hands_the_partitions_over_before_the_lease_would_expire()
    {
        // Long leases: a handover that waited for expiry could not pass.
        static void Slow(ClusterOptions o)
        {
            o.LeaseDuration = TimeSpan.FromSeconds(30);
            o.SafetyMargin = TimeSpan.FromSeconds(5);
        }

        await StartAsync("silo-a", Slow);
        await StartAsync("silo-b", Slow);
        await UntilConvergedAsync([32, 32]);
        var leaving = _silos.Single(s => s.Name == "silo-b");
        var handedOver = (await ReadLeasesAsync()).Values.Where(r => r.Owner == leaving.Name).ToList();

        await leaving.StopAsync();
        _silos.Remove(leaving);

        _history.LostBy("silo-b").Should().HaveCount(32).And.OnlyContain(e => e.Reason == LeaseLossReason.Stopping);
        await UntilConvergedAsync([64], TimeSpan.FromSeconds(20));
        var stillValid = await _database.Direct.CreateCommand("SELECT now()").ExecuteScalarAsync();
        handedOver.Should().OnlyContain(r => r.ExpiresAt > (DateTime)stillValid!,
            "silo-a took every partition while silo-b's leases had not expired yet");
        (await _database.Direct.CreateCommand("SELECT count(*) FROM cluster_members WHERE member_id = 'silo-b'").ExecuteScalarAsync())
            .Should().Be(0L, "a graceful stop deletes the member's row");
        _history.ShouldShowNoPartitionOwnedTwice();
    }

    [PostgresFact]
    public async Task A_silo_cut_off_from_the_database_reports_every_partition_lost_before_its_lease_expires()
    {
        await StartAsync("silo-a");
        await StartAsync("silo-b");
        await UntilConvergedAsync([32, 32]);
        var cut = _silos.Single(s => s.Name == "silo-b");

        cut.Proxy.Break();

        await ClusterTests.UntilAsync(() => cut.OwnedCount == 0, "silo-b gives up every lease by its local clock",
            ClusterTests.LeaseDuration + TimeSpan.FromSeconds(10));
        var lost = _history.LostBy("silo-b");
        lost.Should().HaveCount(32).And.OnlyContain(e => e.Reason == LeaseLossReason.Expired);
        var rows = await ReadLeasesAsync();
        foreach (var e in lost)
        {
            // The database cannot have moved on: silo-b could not reach it, and silo-a takes a row only after expiry.
            var row = rows[e.Partition];
            if (row.Owner == "silo-b")
            {
                e.WallTime.Should().BeBefore(row.ExpiresAt, $"partition {e.Partition} is given up before the database would let another silo take it");
            }
        }

        cut.RequiredLeases.IsOwned(lost[0].Partition, lost[0].Epoch).Should().BeFalse();
        await UntilConvergedAsync([64, 0], ClusterTests.LeaseDuration + TimeSpan.FromSeconds(10));
        _history.ShouldShowNoPartitionOwnedTwice();
    }

    [PostgresFact]
    public async Task Ownership_and_lease_changes_are_measured()
    {
        using var services = new ServiceCollection().AddMetrics().BuildServiceProvider();
        using var metrics = new ClusterMetrics(services.GetRequiredService<IMeterFactory>());
        var measured = new System.Collections.Concurrent.ConcurrentQueue<(string Name, long Value, string? Reason)>();
        using var listener = new MeterListener
        {
            InstrumentPublished = (instrument, l) =>
            {
                if (instrument.Meter.Name == ClusterMetrics.MeterName)
                {
                    l.EnableMeasurementEvents(instrument);
                }
            },
        };
        listener.SetMeasurementEventCallback<long>((i, value, tags, _) =>
            measured.Enqueue((i.Name, value, tags.ToArray().FirstOrDefault(t => t.Key == "reason").Value as string)));
        listener.SetMeasurementEventCallback<int>((i, value, _, _) => measured.Enqueue((i.Name, value, null)));
        listener.Start();
        var silo = await StartAsync("silo-a", metrics: metrics);
        await UntilConvergedAsync([64]);
        listener.RecordObservableInstruments();

        await silo.RequiredLeases.StopAsync(CancellationToken.None);
        listener.RecordObservableInstruments();

        var all = measured.ToList();
        all.Where(m => m.Name == "accountgrains.cluster.leases_acquired").Sum(m => m.Value).Should().Be(64);
        all.Where(m => m.Name == "accountgrains.cluster.leases_lost").Should().HaveCount(64).And.OnlyContain(m => m.Reason == "stopping");
        all.Where(m => m.Name == "accountgrains.cluster.partitions_owned").Select(m => m.Value).Should().EndWith([64, 0]);
    }

    private async Task<TestClusterSilo> StartAsync(string name, Action<ClusterOptions>? configure = null, ClusterMetrics? metrics = null)
    {
        var silo = await TestClusterSilo.StartAsync(_database, name, configure, _history, metrics: metrics);
        lock (_silos)
        {
            _silos.Add(silo);
        }

        return silo;
    }

    /// <summary>
    /// Waits until the running silos own exactly <paramref name="counts"/> (largest first), the database agrees with
    /// each of them and every partition has exactly one owner.
    /// </summary>
    private async Task UntilConvergedAsync(int[] counts, TimeSpan? timeout = null)
    {
        string last = "";
        try
        {
            await ClusterTests.UntilAsync(async () =>
            {
                var owned = _silos.Select(s => (s.Name, Owned: s.RequiredLeases.OwnedPartitions)).ToList();
                var rows = await ReadLeasesAsync();
                last = string.Join(", ", owned.Select(o => $"{o.Name}={o.Owned.Count}")) + "; database owners: " +
                    string.Join(", ", rows.Values.GroupBy(r => r.Owner ?? "(none)").Select(g => $"{g.Key}={g.Count()}"));
                var inMemory = owned.SelectMany(o => o.Owned.Select(p => (p.Key, o.Name, p.Value))).ToList();
                return owned.Select(o => o.Owned.Count).OrderDescending().SequenceEqual(counts)
                    && inMemory.Count == Partitions
                    && inMemory.Select(p => p.Key).Distinct().Count() == Partitions
                    && inMemory.All(p => rows[p.Key].Owner == p.Name && rows[p.Key].Epoch == p.Value);
            }, $"the silos converge to {string.Join("/", counts)}", timeout ?? TimeSpan.FromSeconds(30));
        }
        catch (TimeoutException e)
        {
            throw new TimeoutException($"{e.Message} (last seen: {last})", e);
        }
    }

    private async Task<Dictionary<int, PartitionLease>> ReadLeasesAsync() =>
        (await new PartitionLeaseTable(_database.Direct).ReadAllAsync()).ToDictionary(r => r.Partition);
}
