using System.Diagnostics.Metrics;

namespace AccountGrains.Grains.Diagnostics;

/// <summary>The grains' instruments, on the <c>AccountGrains.Grains</c> meter.</summary>
public sealed class GrainMetrics : IDisposable
{
    public const string MeterName = "AccountGrains.Grains";

    private readonly Meter _meter;
    private readonly Counter<long> _applied;
    private readonly Counter<long> _dropped;
    private readonly Counter<long> _undecoded;
    private readonly Counter<long> _ingested;
    private readonly Counter<long> _rejected;

    public GrainMetrics(IMeterFactory meterFactory)
    {
        ArgumentNullException.ThrowIfNull(meterFactory);
        _meter = meterFactory.Create(MeterName);
        _applied = _meter.CreateCounter<long>("accountgrains.updates.applied", description: "Account updates applied by account grains");
        _dropped = _meter.CreateCounter<long>("accountgrains.updates.dropped", description: "Account updates dropped as duplicate or stale");
        _undecoded = _meter.CreateCounter<long>("accountgrains.decode.failures", description: "Applied updates whose data could not be decoded, by program and reason");
        _ingested = _meter.CreateCounter<long>("accountgrains.ingest.updates", description: "Updates read from the upstream source");
        _rejected = _meter.CreateCounter<long>("accountgrains.ingest.rejected", description: "Upstream records rejected as malformed");
    }

    /// <summary>This silo's meter (tests listen to exactly it).</summary>
    internal Meter Meter => _meter;

    internal void UpdateApplied(DecodedAccount decoded)
    {
        _applied.Add(1, new KeyValuePair<string, object?>("program", decoded.Program));
        if (!decoded.IsDecoded)
        {
            _undecoded.Add(1, new KeyValuePair<string, object?>("program", decoded.Program), new KeyValuePair<string, object?>("reason", decoded.FailureReason ?? "unknown"));
        }
    }

    internal void UpdateDropped(ApplyOutcome outcome) =>
        _dropped.Add(1, new KeyValuePair<string, object?>("reason", outcome == ApplyOutcome.Duplicate ? "duplicate" : "stale"));

    internal void Ingested(string source) => _ingested.Add(1, new KeyValuePair<string, object?>("source", source));

    internal void Rejected(string source) => _rejected.Add(1, new KeyValuePair<string, object?>("source", source));

    public void Dispose() => _meter.Dispose();
}
