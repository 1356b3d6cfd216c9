using AccountGrains.Runtime.Cluster;
using Npgsql;

namespace AccountGrains.Cluster.Tests;

/// <summary>The ownership checks on made-up histories (they must catch what they claim to), and the lease watcher on the real table.</summary>
public sealed class InvariantTests
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 22, 12, 0, 0, TimeSpan.Zero);

    private static PartitionEvent E(string member, PartitionEventKind kind, int partition, long epoch, double seconds) =>
        new(member, kind, partition, epoch, T0.AddSeconds(seconds), null);

    private static LeaseChange C(double seconds, int partition, string? owner, long epoch) =>
        new(T0.AddSeconds(seconds), partition, owner, epoch, T0.AddSeconds(seconds + 4), null, null);

    [Fact]
    public void A_clean_handover_breaks_nothing()
    {
        var events = new[]
        {
            E("silo-1", PartitionEventKind.Acquired, 0, 1, 0), E("silo-1", PartitionEventKind.ProcessingStarted, 0, 1, 0.1),
            E("silo-1", PartitionEventKind.Lost, 0, 1, 5), E("silo-1", PartitionEventKind.ProcessingStopped, 0, 1, 5.1),
            E("silo-2", PartitionEventKind.Acquired, 0, 2, 6), E("silo-2", PartitionEventKind.ProcessingStarted, 0, 2, 6.1),
        };
        var none = new Dictionary<string, DateTimeOffset>();

        ClusterInvariants.AcquisitionViolations(events).Should().BeEmpty();
        ClusterInvariants.OverlapViolations(events, PartitionEventKind.Acquired, PartitionEventKind.Lost, none).Should().BeEmpty();
        ClusterInvariants.OverlapViolations(events, PartitionEventKind.ProcessingStarted, PartitionEventKind.ProcessingStopped, none).Should().BeEmpty();
    }

    [Fact]
    public void Processing_started_before_the_previous_owner_stopped_is_an_overlap_unless_that_owner_was_dead()
    {
        var events = new[]
        {
            E("silo-1", PartitionEventKind.ProcessingStarted, 3, 1, 0),
            E("silo-2", PartitionEventKind.ProcessingStarted, 3, 2, 6),
            E("silo-1", PartitionEventKind.ProcessingStopped, 3, 1, 7),
        };

        ClusterInvariants.OverlapViolations(events, PartitionEventKind.ProcessingStarted, PartitionEventKind.ProcessingStopped, new Dictionary<string, DateTimeOffset>())
            .Should().ContainSingle().Which.Should().Contain("partition 3").And.Contain("silo-2").And.Contain("silo-1");

        var killed = events.Take(2).ToArray(); // silo-1 never logged its stop: it was killed at 5 s
        ClusterInvariants.OverlapViolations(killed, PartitionEventKind.ProcessingStarted, PartitionEventKind.ProcessingStopped, new Dictionary<string, DateTimeOffset> { ["silo-1"] = T0.AddSeconds(5) })
            .Should().BeEmpty();
        ClusterInvariants.OverlapViolations(killed, PartitionEventKind.ProcessingStarted, PartitionEventKind.ProcessingStopped, new Dictionary<string, DateTimeOffset>())
            .Should().ContainSingle("silo-1 still runs and never stopped").Which.Should().Contain("still running");
    }

    [Fact]
    public void A_new_owner_with_a_lower_or_equal_epoch_and_an_epoch_acquired_twice_are_caught()
    {
        var events = new[]
        {
            E("silo-1", PartitionEventKind.Acquired, 1, 5, 0), E("silo-1", PartitionEventKind.Lost, 1, 5, 1),
            E("silo-2", PartitionEventKind.Acquired, 1, 5, 2),
        };

        ClusterInvariants.AcquisitionViolations(events).Should().HaveCount(2)
            .And.Contain(v => v.Contains("acquired at epoch 5 after epoch 5"))
            .And.Contain(v => v.Contains("epoch 5 acquired by silo-1, silo-2"));
        ClusterInvariants.OverlapViolations(events, PartitionEventKind.Acquired, PartitionEventKind.Lost, new Dictionary<string, DateTimeOffset>())
            .Should().ContainSingle().Which.Should().Contain("followed silo-1 at epoch 5");
    }

    [Fact]
    public void Lease_history_with_an_epoch_going_back_or_two_owners_of_one_epoch_is_caught()
    {
        LeaseWatcherChanges(C(0, 0, "silo-1", 1), C(1, 0, null, 1), C(2, 0, "silo-2", 2)).Should().BeEmpty("a release keeps the epoch and clears the owner");
        LeaseWatcherChanges(C(0, 0, "silo-1", 2), C(1, 0, "silo-2", 1)).Should().ContainSingle().Which.Should().Contain("went back from 2 to 1");
        LeaseWatcherChanges(C(0, 0, "silo-1", 2), C(1, 0, "silo-2", 2)).Should().ContainSingle().Which.Should().Contain("epoch 2 owned by silo-1 and by silo-2");
    }

    [Fact]
    public void Partition_events_are_read_from_the_json_log_lines_of_the_cluster_log_events()
    {
        const string acquired = """{"Timestamp":"2026-11-22T11:47:51.1509033Z","EventId":1220,"LogLevel":"Information","Category":"AccountGrains.Runtime.Cluster.PartitionLeaseManager","Message":"Acquired partition 7 at epoch 3","State":{"Partition":7,"Epoch":3,"{OriginalFormat}":"Acquired partition {Partition} at epoch {Epoch}"}}""";
        const string stopped = """{"Timestamp":"2026-11-22T11:47:52.0000001Z","EventId":1231,"LogLevel":"Information","Category":"AccountGrains.Runtime.Hosting.SiloHost","Message":"Partition 7 at epoch 3: processing stopped (Expired)","State":{"Partition":7,"Epoch":3,"Reason":"Expired","{OriginalFormat}":"Partition {Partition} at epoch {Epoch}: processing stopped ({Reason})"}}""";

        var first = PartitionEvent.From(HostLogEntry.TryParse("silo-1", acquired)!);
        var second = PartitionEvent.From(HostLogEntry.TryParse("silo-1", stopped)!);

        first.Should().Be(new PartitionEvent("silo-1", PartitionEventKind.Acquired, 7, 3, new DateTimeOffset(2026, 11, 22, 11, 47, 51, TimeSpan.Zero).AddTicks(1509033), null));
        second!.Kind.Should().Be(PartitionEventKind.ProcessingStopped);
        second.Reason.Should().Be("Expired");
        HostLogEntry.TryParse("silo-1", "Unhandled exception. System.Exception: boom").Should().BeNull();
        HostLogEntry.TryParse("silo-1", "{not json").Should().BeNull();
    }

    [PostgresFact]
    public async Task The_lease_watcher_records_each_change_of_owner_or_epoch_of_the_real_table()
    {
        var schema = new PostgresSchema();
        try
        {
            var connectionString = await schema.CreateAsync();
            await using (var dataSource = NpgsqlDataSource.Create(connectionString))
            {
                await ClusterSchema.EnsureCreatedAsync(dataSource);
                await new PartitionLeaseTable(dataSource).EnsurePartitionsAsync(2);
            }

            await using var database = new ClusterDatabase(connectionString);
            await using var watcher = new LeaseWatcher(database);
            await watcher.PollAsync();
            await Sql(connectionString, "UPDATE partition_leases SET owner = 'silo-1', epoch = 1, expires_at = now() + interval '4 s' WHERE partition = 0");
            await watcher.PollAsync();
            await Sql(connectionString, "UPDATE partition_leases SET expires_at = now() + interval '8 s' WHERE partition = 0"); // a renewal: no change
            await watcher.PollAsync();
            await Sql(connectionString, "UPDATE partition_leases SET owner = 'silo-2', epoch = 2 WHERE partition = 0");
            await watcher.PollAsync();

            watcher.Changes.Where(c => c.Partition == 0).Select(c => (c.Owner, c.Epoch)).Should().Equal((null, 0L), ("silo-1", 1L), ("silo-2", 2L));
            watcher.Violations().Should().BeEmpty();
            (await database.ReadLeasesAsync()).LiveOwners.Should().Equal(new Dictionary<int, string> { [0] = "silo-2" });

            await Sql(connectionString, "UPDATE partition_leases SET owner = 'silo-1', epoch = 1 WHERE partition = 0");
            watcher.Start();
            await watcher.WaitForNextPollAsync();
            watcher.Violations().Should().ContainSingle().Which.Should().Contain("went back from 2 to 1");
        }
        finally
        {
            await schema.DisposeAsync();
        }
    }

    private static IReadOnlyList<string> LeaseWatcherChanges(params LeaseChange[] changes) => ClusterInvariants.LeaseHistoryViolations(changes);

    private static async Task Sql(string connectionString, string sql)
    {
        await using var dataSource = NpgsqlDataSource.Create(connectionString);
        await dataSource.CreateCommand(sql).ExecuteNonQueryAsync();
    }
}
