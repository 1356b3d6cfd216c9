using System.Collections.Concurrent;
using System.Diagnostics;

using AccountGrains.Runtime.Cluster;

namespace AccountGrains.Runtime.Tests.Cluster;

/// <summary>
/// Every Acquired and Lost event of every silo in a test, stamped with the monotonic clock as it is raised (the
/// manager raises them under its lock, in order), plus the instant a silo was killed. From it the test proves that no
/// partition was ever owned by two silos at once and that epochs only grow.
/// </summary>
internal sealed class LeaseHistory
{
    private readonly ConcurrentQueue<Entry> _entries = new();

    public void Attach(string silo, PartitionLeaseManager leases)
    {
        leases.Acquired += (_, e) => _entries.Enqueue(new Entry(silo, e.Partition, e.Epoch, Kind.Acquired, Stopwatch.GetTimestamp(), DateTimeOffset.UtcNow, null));
        leases.Lost += (_, e) => _entries.Enqueue(new Entry(silo, e.Partition, e.Epoch, Kind.Lost, Stopwatch.GetTimestamp(), DateTimeOffset.UtcNow, e.Reason));
    }

    /// <summary>The silo is dead from now on: whatever it owned, it owns no more.</summary>
    public void Killed(string silo) => _entries.Enqueue(new Entry(silo, -1, 0, Kind.Killed, Stopwatch.GetTimestamp(), DateTimeOffset.UtcNow, null));

    public IReadOnlyList<Entry> Entries => [.. _entries.OrderBy(e => e.Timestamp)];

    public IReadOnlyList<Entry> LostBy(string silo) => [.. Entries.Where(e => e.Silo == silo && e.Kind == Kind.Lost)];

    /// <summary>Ownership intervals per partition never overlap, and each owner has a higher epoch than the one before.</summary>
    public void ShouldShowNoPartitionOwnedTwice()
    {
        var entries = Entries;
        var intervals = new List<(int Partition, string Silo, long Epoch, long Start, long End)>();
        var open = new Dictionary<(string Silo, int Partition), (long Epoch, long Start)>();
        foreach (var e in entries)
        {
            switch (e.Kind)
            {
                case Kind.Acquired:
                    open.Should().NotContainKey((e.Silo, e.Partition), $"{e.Silo} acquired partition {e.Partition} it already held");
                    open[(e.Silo, e.Partition)] = (e.Epoch, e.Timestamp);
                    break;
                case Kind.Lost:
                    open.Should().ContainKey((e.Silo, e.Partition), $"{e.Silo} lost partition {e.Partition} it did not hold");
                    open[(e.Silo, e.Partition)].Epoch.Should().Be(e.Epoch, "a silo loses the epoch it acquired");
                    intervals.Add((e.Partition, e.Silo, e.Epoch, open[(e.Silo, e.Partition)].Start, e.Timestamp));
                    open.Remove((e.Silo, e.Partition));
                    break;
                case Kind.Killed:
                    foreach (var key in open.Keys.Where(k => k.Silo == e.Silo).ToList())
                    {
                        intervals.Add((key.Partition, key.Silo, open[key].Epoch, open[key].Start, e.Timestamp));
                        open.Remove(key);
                    }

                    break;
            }
        }

        intervals.AddRange(open.Select(o => (o.Key.Partition, o.Key.Silo, o.Value.Epoch, o.Value.Start, long.MaxValue)));
        foreach (var partition in intervals.GroupBy(i => i.Partition))
        {
            var ordered = partition.OrderBy(i => i.Start).ToList();
            for (var i = 1; i < ordered.Count; i++)
            {
                var (before, after) = (ordered[i - 1], ordered[i]);
                before.End.Should().BeLessThanOrEqualTo(after.Start,
                    $"partition {partition.Key} was owned by {before.Silo} (epoch {before.Epoch}) until after {after.Silo} (epoch {after.Epoch}) acquired it");
                after.Epoch.Should().BeGreaterThan(before.Epoch, $"partition {partition.Key} changed hands from {before.Silo} to {after.Silo}");
            }
        }
    }

    internal enum Kind
    {
        Acquired,
        Lost,
        Killed,
    }

    internal sealed record Entry(string Silo, int Partition, long Epoch, Kind Kind, long Timestamp, DateTimeOffset WallTime, LeaseLossReason? Reason);
}
