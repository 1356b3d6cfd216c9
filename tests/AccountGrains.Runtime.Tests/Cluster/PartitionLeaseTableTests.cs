using AccountGrains.Runtime.Cluster;

namespace AccountGrains.Runtime.Tests.Cluster;

public sealed class PartitionLeaseTableTests : IAsyncLifetime
{
    private static readonly TimeSpan Long = TimeSpan.FromMinutes(1);
    private ClusterTestDatabase _database = null!;
    private PartitionLeaseTable _table = null!;

    public async Task InitializeAsync()
    {
        if (PostgresTestDatabase.ConnectionString is not null)
        {
            _database = await ClusterTestDatabase.CreateAsync();
            await ClusterSchema.EnsureCreatedAsync(_database.Direct);
            await ClusterSchema.EnsureCreatedAsync(_database.Direct);
            _table = new PartitionLeaseTable(_database.Direct);
            await _table.EnsurePartitionsAsync(64);
        }
    }

    public async Task DisposeAsync()
    {
        if (_database is not null)
        {
            await _database.DisposeAsync();
        }
    }

    [PostgresFact]
    public async Task Concurrent_acquirers_never_win_the_same_partition()
    {
        var results = await Task.WhenAll(Enumerable.Range(0, 8).Select(i => _table.AcquireAsync($"silo-{i}", 64, Long)));

        results.SelectMany(r => r.Keys).Should().OnlyHaveUniqueItems().And.HaveCount(64);
        results.SelectMany(r => r.Values).Should().OnlyContain(epoch => epoch == 1);
    }

    [PostgresFact]
    public async Task A_lease_is_renewed_only_by_its_owner_at_its_epoch_and_release_keeps_the_epoch()
    {
        var mine = await _table.AcquireAsync("silo-a", 2, Long);
        mine.Should().Equal(new Dictionary<int, long> { [0] = 1, [1] = 1 });

        (await _table.RenewAsync("silo-a", new Dictionary<int, long> { [0] = 1, [1] = 2 }, Long)).Should().BeEquivalentTo([0]);
        (await _table.RenewAsync("silo-b", mine, Long)).Should().BeEmpty();
        (await _table.AcquireAsync("silo-b", 64, Long)).Keys.Should().NotContain([0, 1]);

        (await _table.ReleaseAsync("silo-a", new Dictionary<int, long> { [0] = 1 })).Should().BeEquivalentTo([0]);
        (await _table.AcquireAsync("silo-b", 1, Long)).Should().Equal(new Dictionary<int, long> { [0] = 2 });
    }

    [PostgresFact]
    public async Task An_expired_lease_is_taken_at_the_next_epoch()
    {
        (await _table.AcquireAsync("silo-a", 64, TimeSpan.FromMilliseconds(1))).Should().HaveCount(64);
        await Task.Delay(50);

        var taken = await _table.AcquireAsync("silo-b", 64, Long);

        taken.Should().HaveCount(64).And.OnlyContain(p => p.Value == 2);
        (await _table.RenewAsync("silo-a", taken.ToDictionary(p => p.Key, _ => 1L), Long)).Should().BeEmpty();
    }

    [PostgresFact]
    public async Task A_different_partition_count_than_the_clusters_is_refused()
    {
        var wrongCount = () => _table.EnsurePartitionsAsync(32);

        (await wrongCount.Should().ThrowAsync<InvalidOperationException>()).WithMessage("*64 partitions*PartitionCount is 32*");
        await _table.EnsurePartitionsAsync(64);
    }

    [PostgresFact]
    public async Task A_member_without_leases_is_checked_against_the_clusters_count_and_writes_nothing()
    {
        await _table.VerifyPartitionCountAsync(64);
        var wrongCount = () => _table.VerifyPartitionCountAsync(8);
        (await wrongCount.Should().ThrowAsync<InvalidOperationException>()).WithMessage(
            "The cluster has 64 partitions but this member's AccountGrains:Runtime:PartitionCount is 8;*");

        // Before any silo has created the partitions there is nothing to check against, and nothing is created.
        var empty = await ClusterTestDatabase.CreateAsync();
        await using var _ = empty;
        await ClusterSchema.EnsureCreatedAsync(empty.Direct);
        var fresh = new PartitionLeaseTable(empty.Direct);
        await fresh.VerifyPartitionCountAsync(8);
        await fresh.EnsurePartitionsAsync(64);
        (await fresh.AcquireAsync("silo-a", 64, Long)).Should().HaveCount(64, "the first silo still sets the count");
    }
}
