using System.Globalization;

namespace AccountGrains.Testing.Cluster;

/// <summary>
/// The "no partition owned or processed twice at once" rules, as functions from recorded history to the list of
/// what broke them (empty when nothing did), so a test can assert emptiness and print the offenders.
/// </summary>
public static class ClusterInvariants
{
    /// <summary>From polled lease rows: per partition epochs never go down, and one epoch has at most one owner.</summary>
    public static IReadOnlyList<string> LeaseHistoryViolations(IEnumerable<LeaseChange> changes)
    {
        ArgumentNullException.ThrowIfNull(changes);
        var violations = new List<string>();
        foreach (var partition in changes.GroupBy(c => c.Partition))
        {
            long highest = long.MinValue;
            var owners = new Dictionary<long, string>();
            foreach (var change in partition.OrderBy(c => c.ObservedAt))
            {
                if (change.Epoch < highest)
                {
                    violations.Add(Invariant($"partition {partition.Key}: epoch went back from {highest} to {change.Epoch} ({change})"));
                }

                highest = Math.Max(highest, change.Epoch);
                if (change.Owner is null)
                {
                    continue; // released: the epoch stays, the owner is cleared
                }

                if (owners.TryGetValue(change.Epoch, out var owner) && owner != change.Owner)
                {
                    violations.Add(Invariant($"partition {partition.Key}: epoch {change.Epoch} owned by {owner} and by {change.Owner} ({change})"));
                }

                owners.TryAdd(change.Epoch, change.Owner);
            }
        }

        return violations;
    }

    /// <summary>
    /// From the members' partition logs: each (partition, epoch) acquired by one member only, and per partition the
    /// epochs of successive acquisitions grow.
    /// </summary>
    public static IReadOnlyList<string> AcquisitionViolations(IEnumerable<PartitionEvent> events)
    {
        ArgumentNullException.ThrowIfNull(events);
        var violations = new List<string>();
        foreach (var partition in events.Where(e => e.Kind == PartitionEventKind.Acquired).GroupBy(e => e.Partition))
        {
            PartitionEvent? before = null;
            foreach (var acquired in partition.OrderBy(e => e.Timestamp))
            {
                if (before is not null && acquired.Epoch <= before.Epoch)
                {
                    violations.Add($"partition {partition.Key}: acquired at epoch {acquired.Epoch} after epoch {before.Epoch} ({before} / {acquired})");
                }

                before = acquired;
            }

            foreach (var epoch in partition.GroupBy(e => e.Epoch).Where(g => g.Select(e => e.Member).Distinct().Count() > 1))
            {
                violations.Add(Invariant($"partition {partition.Key}: epoch {epoch.Key} acquired by {string.Join(", ", epoch.Select(e => e.Member).Distinct())}"));
            }
        }

        return violations;
    }

    /// <summary>
    /// Intervals from <paramref name="start"/> to <paramref name="end"/> events of the same member, partition and
    /// epoch never overlap across members for one partition, and the later one has the higher epoch. An interval
    /// without its end event ends when its member died (<paramref name="endOfLife"/>: killed or exited); one whose
    /// member still runs is open. Used for leases (Acquired → Lost) and processing (ProcessingStarted →
    /// ProcessingStopped).
    /// </summary>
    public static IReadOnlyList<string> OverlapViolations(
        IEnumerable<PartitionEvent> events,
        PartitionEventKind start,
        PartitionEventKind end,
        IReadOnlyDictionary<string, DateTimeOffset> endOfLife)
    {
        ArgumentNullException.ThrowIfNull(events);
        ArgumentNullException.ThrowIfNull(endOfLife);
        var intervals = new List<(int Partition, string Member, long Epoch, DateTimeOffset From, DateTimeOffset To, string Ended)>();
        foreach (var group in events.Where(e => e.Kind == start || e.Kind == end).GroupBy(e => (e.Member, e.Partition, e.Epoch)))
        {
            var ordered = group.OrderBy(e => e.Timestamp).ToList();
            var first = ordered.FirstOrDefault(e => e.Kind == start);
            if (first is null)
            {
                continue; // an end without a start: nothing ran
            }

            var last = ordered.LastOrDefault(e => e.Kind == end && e.Timestamp >= first.Timestamp);
            var (to, how) = last is not null
                ? (last.Timestamp, end.ToString())
                : endOfLife.TryGetValue(group.Key.Member, out var died) ? (died, "died") : (DateTimeOffset.MaxValue, "still running");
            intervals.Add((group.Key.Partition, group.Key.Member, group.Key.Epoch, first.Timestamp, to, how));
        }

        var violations = new List<string>();
        foreach (var partition in intervals.GroupBy(i => i.Partition))
        {
            var ordered = partition.OrderBy(i => i.From).ToList();
            for (var i = 1; i < ordered.Count; i++)
            {
                var (before, after) = (ordered[i - 1], ordered[i]);
                if (before.To > after.From)
                {
                    violations.Add(Invariant(
                        $"partition {partition.Key}: {after.Member} {start} at epoch {after.Epoch} at {after.From:HH:mm:ss.fffffff} while {before.Member} (epoch {before.Epoch}, from {before.From:HH:mm:ss.fffffff}) had not ended ({before.Ended} at {(before.To == DateTimeOffset.MaxValue ? "-" : before.To.ToString("HH:mm:ss.fffffff", CultureInfo.InvariantCulture))})"));
                }

                if (after.Epoch <= before.Epoch)
                {
                    violations.Add(Invariant($"partition {partition.Key}: {after.Member} at epoch {after.Epoch} followed {before.Member} at epoch {before.Epoch}"));
                }
            }
        }

        return violations;
    }

    private static string Invariant(FormattableString text) => FormattableString.Invariant(text);
}
