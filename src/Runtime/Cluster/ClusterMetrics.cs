using System.Diagnostics.Metrics;

namespace AccountGrains.Runtime.Cluster;

/// <summary>The cluster's instruments, on the <c>AccountGrains.Cluster</c> meter.</summary>
public sealed class ClusterMetrics : IDisposable
{
    public const string MeterName = "AccountGrains.Cluster";

    private readonly Meter _meter;
    private readonly Counter<long> _leasesAcquired;
    private readonly Counter<long> _leasesLost;
    private readonly Counter<long> _membersDeclaredDead;
    private Func<int>? _partitionsOwned;

    public ClusterMetrics(IMeterFactory meterFactory)
    {
        ArgumentNullException.ThrowIfNull(meterFactory);
        _meter = meterFactory.Create(MeterName);
        _meter.CreateObservableGauge("accountgrains.cluster.partitions_owned", () => _partitionsOwned?.Invoke() ?? 0,
            description: "Partitions whose lease this silo holds");
        _leasesAcquired = _meter.CreateCounter<long>("accountgrains.cluster.leases_acquired", description: "Partition leases acquired");
        _leasesLost = _meter.CreateCounter<long>("accountgrains.cluster.leases_lost",
            description: "Partition leases given up, by reason (released, refused, expired, stopping)");
        _membersDeclaredDead = _meter.CreateCounter<long>("accountgrains.cluster.members_declared_dead",
            description: "Silent members this member declared dead");
    }

    internal Meter Meter => _meter;

    internal void ObservePartitionsOwned(Func<int> count) => _partitionsOwned = count;

    internal void LeaseAcquired() => _leasesAcquired.Add(1);

    internal void LeaseLost(LeaseLossReason reason) =>
        _leasesLost.Add(1, new KeyValuePair<string, object?>("reason", reason.ToTagValue()));

    internal void MembersDeclaredDead(int count) => _membersDeclaredDead.Add(count);

    public void Dispose() => _meter.Dispose();
}
