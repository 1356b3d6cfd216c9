using System.Diagnostics.Metrics;

namespace AccountGrains.Grains.Notifications;

/// <summary>
/// Instruments of notification delivery, on the <c>AccountGrains.Notifications</c> meter. Tagged by sink kind and
/// reason only: sink URLs may hold tokens (Discord) and would make unbounded series.
/// </summary>
public sealed class NotificationMetrics : IDisposable
{
    public const string MeterName = "AccountGrains.Notifications";

    private readonly Meter _meter;
    private readonly Counter<long> _delivered;
    private readonly Counter<long> _failedAttempts;
    private readonly Counter<long> _deadLettered;
    private readonly Counter<long> _deadLettersLost;
    private readonly UpDownCounter<long> _queued;
    private readonly Histogram<double> _latency;

    public NotificationMetrics(IMeterFactory meterFactory)
    {
        ArgumentNullException.ThrowIfNull(meterFactory);
        _meter = meterFactory.Create(MeterName);
        _delivered = _meter.CreateCounter<long>("accountgrains.notifications.delivered", description: "Notifications a sink accepted, by kind");
        _failedAttempts = _meter.CreateCounter<long>("accountgrains.notifications.attempts.failed", description: "Delivery attempts that failed, by kind and reason (timeout, network, http_<status>)");
        _deadLettered = _meter.CreateCounter<long>("accountgrains.notifications.dead_lettered", description: "Notifications given up on, by kind and reason (queue_full, rejected, exhausted, shutdown, invalid_sink)");
        _deadLettersLost = _meter.CreateCounter<long>("accountgrains.notifications.dead_letters.lost", description: "Dead letters that could not be stored");
        _queued = _meter.CreateUpDownCounter<long>("accountgrains.notifications.queue.depth", description: "Notifications waiting for delivery, by kind");
        _latency = _meter.CreateHistogram<double>("accountgrains.notifications.delivery.latency", unit: "s", description: "From queueing to the sink's acceptance, retries included, by kind");
    }

    /// <summary>This meter (tests listen to exactly it).</summary>
    internal Meter Meter => _meter;

    internal void Queued(string kind, int count) => _queued.Add(count, Kind(kind));

    internal void Delivered(string kind, TimeSpan latency)
    {
        _delivered.Add(1, Kind(kind));
        _latency.Record(latency.TotalSeconds, Kind(kind));
    }

    internal void AttemptFailed(string kind, string reason) => _failedAttempts.Add(1, Kind(kind), Reason(reason));

    internal void DeadLettered(string kind, string reason) => _deadLettered.Add(1, Kind(kind), Reason(reason));

    internal void DeadLetterLost() => _deadLettersLost.Add(1);

    private static KeyValuePair<string, object?> Kind(string kind) => new("kind", kind);

    private static KeyValuePair<string, object?> Reason(string reason) => new("reason", reason);

    public void Dispose() => _meter.Dispose();
}
