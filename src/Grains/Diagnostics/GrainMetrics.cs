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
    private readonly Counter<long> _upstreamMessages;
    private readonly Histogram<double> _upstreamLatency;
    private readonly Counter<long> _reconnects;
    private readonly Counter<long> _gaps;
    private readonly Counter<long> _rebuilds;
    private readonly Counter<long> _replayed;

    public GrainMetrics(IMeterFactory meterFactory)
    {
        ArgumentNullException.ThrowIfNull(meterFactory);
        _meter = meterFactory.Create(MeterName);
        _applied = _meter.CreateCounter<long>("accountgrains.updates.applied", description: "Account updates applied by account grains");
        _dropped = _meter.CreateCounter<long>("accountgrains.updates.dropped", description: "Account updates dropped as duplicate or stale");
        _undecoded = _meter.CreateCounter<long>("accountgrains.decode.failures", description: "Applied updates whose data could not be decoded, by program and reason");
        _ingested = _meter.CreateCounter<long>("accountgrains.ingest.updates", description: "Updates read from the upstream source");
        _rejected = _meter.CreateCounter<long>("accountgrains.ingest.rejected", description: "Upstream records rejected as malformed");
        _upstreamMessages = _meter.CreateCounter<long>("accountgrains.ingest.upstream.messages", description: "Messages received from a live upstream, by kind (account, slot, transaction, block_meta, ping, pong)");
        _upstreamLatency = _meter.CreateHistogram<double>("accountgrains.ingest.upstream.latency", unit: "s", description: "From the upstream's created_at to receipt here");
        _reconnects = _meter.CreateCounter<long>("accountgrains.ingest.reconnects", description: "Upstream streams lost and opened again, by reason");
        _gaps = _meter.CreateCounter<long>("accountgrains.ingest.gaps", description: "Upstream losses that could not be replayed (accounts re-read over RPC)");
        _rebuilds = _meter.CreateCounter<long>("accountgrains.ingest.filter.rebuilds", description: "Subscriptions rebuilt and resent after the interest set changed");
        _replayed = _meter.CreateCounter<long>("accountgrains.ingest.replayed", description: "Account writes a resumed stream delivered again, dropped before the grains");
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

    internal void UpstreamMessage(string source, string kind) =>
        _upstreamMessages.Add(1, new KeyValuePair<string, object?>("source", source), new KeyValuePair<string, object?>("kind", kind));

    internal void UpstreamLatency(string source, TimeSpan latency) =>
        _upstreamLatency.Record(latency.TotalSeconds, new KeyValuePair<string, object?>("source", source));

    internal void Reconnected(string source, string reason) =>
        _reconnects.Add(1, new KeyValuePair<string, object?>("source", source), new KeyValuePair<string, object?>("reason", reason));

    internal void Gap(string source) => _gaps.Add(1, new KeyValuePair<string, object?>("source", source));

    internal void FilterRebuilt(string source) => _rebuilds.Add(1, new KeyValuePair<string, object?>("source", source));

    internal void Replayed(string source) => _replayed.Add(1, new KeyValuePair<string, object?>("source", source));

    public void Dispose() => _meter.Dispose();
}
