using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using System.Globalization;
using System.Text;

namespace AccountGrains.Runtime.Diagnostics.Prometheus;

/// <summary>
/// Serves the process's System.Diagnostics.Metrics instruments in the Prometheus text exposition format (0.0.4).
/// The smallest stand-in for OpenTelemetry.Exporter.Prometheus.AspNetCore, which the package feed lacks: a
/// <see cref="MeterListener"/> aggregates counters (sums), up-down counters (sums), histograms (cumulative buckets,
/// sum, count) and reads observable instruments at scrape time. Only meters whose name starts with one of the given
/// prefixes are listened to. Names become Prometheus names: dots to underscores, counters get <c>_total</c>, units
/// of seconds get <c>_seconds</c>. With a <c>scope</c>, only meters created by that <see cref="IMeterFactory"/> (one
/// host's) are exported, so several hosts in one process (tests) do not mix their series.
/// </summary>
public sealed class PrometheusMetricsExporter : IDisposable
{
    private static readonly double[] DefaultBuckets = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

    private readonly MeterListener _listener = new();
    private readonly ConcurrentDictionary<Instrument, InstrumentState> _instruments = new();
    private readonly Lock _scrapeGate = new();

    public PrometheusMetricsExporter(IEnumerable<string> meterPrefixes, IMeterFactory? scope = null)
    {
        var prefixes = meterPrefixes.ToArray();
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (prefixes.Any(p => instrument.Meter.Name.StartsWith(p, StringComparison.Ordinal))
                && (scope is null || ReferenceEquals(instrument.Meter.Scope, scope)))
            {
                _instruments.TryAdd(instrument, new InstrumentState(instrument));
                listener.EnableMeasurementEvents(instrument);
            }
        };
        _listener.MeasurementsCompleted = (instrument, _) => _instruments.TryRemove(instrument, out var _);
        _listener.SetMeasurementEventCallback<long>((i, v, t, _) => Record(i, v, t));
        _listener.SetMeasurementEventCallback<int>((i, v, t, _) => Record(i, v, t));
        _listener.SetMeasurementEventCallback<double>((i, v, t, _) => Record(i, v, t));
        _listener.Start();
    }

    /// <summary>The current values, as the body of a <c>GET /metrics</c> (content type <c>text/plain; version=0.0.4</c>).</summary>
    public string Scrape()
    {
        lock (_scrapeGate)
        {
            foreach (var state in _instruments.Values)
            {
                state.ResetObserved();
            }

            _listener.RecordObservableInstruments();
            var text = new StringBuilder();
            foreach (var group in _instruments.Values.GroupBy(s => s.Name).OrderBy(g => g.Key, StringComparer.Ordinal))
            {
                var first = group.First();
                text.Append("# HELP ").Append(group.Key).Append(' ').Append(Escape(first.Instrument.Description ?? first.Instrument.Name)).Append('\n');
                text.Append("# TYPE ").Append(group.Key).Append(' ').Append(first.PrometheusType).Append('\n');
                foreach (var state in group)
                {
                    state.WriteSamples(text);
                }
            }

            return text.ToString();
        }
    }

    public void Dispose() => _listener.Dispose();

    private void Record(Instrument instrument, double value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        if (_instruments.TryGetValue(instrument, out var state))
        {
            state.Record(value, tags);
        }
    }

    private static string Escape(string text) => text.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\n", "\\n", StringComparison.Ordinal);

    private static string LabelValue(object? value) =>
        (Convert.ToString(value, CultureInfo.InvariantCulture) ?? string.Empty)
            .Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal).Replace("\n", "\\n", StringComparison.Ordinal);

    private static string Format(double value) =>
        double.IsPositiveInfinity(value) ? "+Inf" : value.ToString("R", CultureInfo.InvariantCulture);

    /// <summary>One instrument's series, keyed by their label set.</summary>
    private sealed class InstrumentState
    {
        private readonly ConcurrentDictionary<string, Series> _series = new(StringComparer.Ordinal);
        private readonly ConcurrentDictionary<TagKey, Series> _byTags = new();
        private readonly bool _isHistogram;
        private readonly bool _isObservable;

        public InstrumentState(Instrument instrument)
        {
            Instrument = instrument;
            var type = instrument.GetType().GetGenericTypeDefinition();
            _isHistogram = type == typeof(Histogram<>);
            _isObservable = instrument.IsObservable;
            var isCounter = type == typeof(Counter<>) || type == typeof(ObservableCounter<>);
            PrometheusType = _isHistogram ? "histogram" : isCounter ? "counter" : "gauge";
            var name = instrument.Name.Replace('.', '_').Replace('-', '_');
            if (instrument.Unit == "s" && !name.EndsWith("_seconds", StringComparison.Ordinal))
            {
                name += "_seconds";
            }

            Name = isCounter && !name.EndsWith("_total", StringComparison.Ordinal) ? name + "_total" : name;
        }

        public Instrument Instrument { get; }

        public string Name { get; }

        public string PrometheusType { get; }

        public void ResetObserved()
        {
            if (_isObservable)
            {
                _series.Clear();
                _byTags.Clear();
            }
        }

        public void Record(double value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
        {
            // Measurements arrive per account update: find the series by its tags without building the label text,
            // which is made once per new tag set (our instruments carry at most two tags).
            Series? series;
            if (tags.Length <= 2)
            {
                var key = tags.Length switch
                {
                    0 => default,
                    1 => new TagKey(tags[0].Key, tags[0].Value, null, null),
                    _ => string.CompareOrdinal(tags[0].Key, tags[1].Key) <= 0
                        ? new TagKey(tags[0].Key, tags[0].Value, tags[1].Key, tags[1].Value)
                        : new TagKey(tags[1].Key, tags[1].Value, tags[0].Key, tags[0].Value),
                };
                if (!_byTags.TryGetValue(key, out series))
                {
                    series = _series.GetOrAdd(Labels(tags), _ => new Series(_isHistogram ? DefaultBuckets : null));
                    _byTags.TryAdd(key, series);
                }
            }
            else
            {
                series = _series.GetOrAdd(Labels(tags), _ => new Series(_isHistogram ? DefaultBuckets : null));
            }

            series.Add(value, replace: _isObservable);
        }

        public void WriteSamples(StringBuilder text)
        {
            foreach (var (labels, series) in _series.OrderBy(s => s.Key, StringComparer.Ordinal))
            {
                series.Write(text, Name, labels);
            }
        }

        private static string Labels(ReadOnlySpan<KeyValuePair<string, object?>> tags)
        {
            if (tags.Length == 0)
            {
                return string.Empty;
            }

            var sorted = tags.ToArray();
            Array.Sort(sorted, (a, b) => string.CompareOrdinal(a.Key, b.Key));
            return string.Join(",", sorted.Select(t => $"{t.Key.Replace('.', '_')}=\"{LabelValue(t.Value)}\""));
        }
    }

    /// <summary>Up to two tags, ordered by key: finds a series without formatting its labels.</summary>
    private readonly record struct TagKey(string? Key1, object? Value1, string? Key2, object? Value2);

    /// <summary>A value (or a histogram) for one label set; updated under its own lock.</summary>
    private sealed class Series(double[]? buckets)
    {
        private readonly Lock _gate = new();
        private readonly long[]? _bucketCounts = buckets is null ? null : new long[buckets.Length];
        private double _sum;
        private long _count;

        public void Add(double value, bool replace)
        {
            lock (_gate)
            {
                if (_bucketCounts is not null)
                {
                    for (var i = 0; i < buckets!.Length; i++)
                    {
                        if (value <= buckets[i])
                        {
                            _bucketCounts[i]++;
                        }
                    }
                }

                _sum = replace ? value : _sum + value;
                _count++;
            }
        }

        public void Write(StringBuilder text, string name, string labels)
        {
            lock (_gate)
            {
                if (_bucketCounts is null)
                {
                    Sample(text, name, labels, _sum);
                    return;
                }

                for (var i = 0; i < buckets!.Length; i++)
                {
                    Sample(text, name + "_bucket", Join(labels, $"le=\"{Format(buckets[i])}\""), _bucketCounts[i]);
                }

                Sample(text, name + "_bucket", Join(labels, "le=\"+Inf\""), _count);
                Sample(text, name + "_sum", labels, _sum);
                Sample(text, name + "_count", labels, _count);
            }
        }

        private static string Join(string labels, string extra) => labels.Length == 0 ? extra : labels + "," + extra;

        private static void Sample(StringBuilder text, string name, string labels, double value)
        {
            text.Append(name);
            if (labels.Length > 0)
            {
                text.Append('{').Append(labels).Append('}');
            }

            text.Append(' ').Append(Format(value)).Append('\n');
        }
    }
}
