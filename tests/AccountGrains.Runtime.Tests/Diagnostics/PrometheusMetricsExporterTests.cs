using System.Diagnostics.Metrics;
using AccountGrains.Runtime.Diagnostics.Prometheus;
using Microsoft.Extensions.DependencyInjection;

namespace AccountGrains.Runtime.Tests.Diagnostics;

public sealed class PrometheusMetricsExporterTests : IDisposable
{
    private readonly ServiceProvider _services = new ServiceCollection().AddMetrics().BuildServiceProvider();

    private IMeterFactory Factory => _services.GetRequiredService<IMeterFactory>();

    public void Dispose() => _services.Dispose();

    private static string[] Lines(PrometheusMetricsExporter exporter) => exporter.Scrape().Split('\n', StringSplitOptions.RemoveEmptyEntries);

    [Fact]
    public void Counters_are_summed_per_label_set_and_named_with_total()
    {
        using var exporter = new PrometheusMetricsExporter(["AccountGrains"], Factory);
        var meter = Factory.Create("AccountGrains.Test");
        var counter = meter.CreateCounter<long>("accountgrains.things.done", description: "Things done");
        counter.Add(2, new KeyValuePair<string, object?>("kind", "a"));
        counter.Add(3, new KeyValuePair<string, object?>("kind", "a"));
        counter.Add(1, new KeyValuePair<string, object?>("kind", "b"));

        Lines(exporter).Should().ContainInOrder(
            "# HELP accountgrains_things_done_total Things done",
            "# TYPE accountgrains_things_done_total counter",
            "accountgrains_things_done_total{kind=\"a\"} 5",
            "accountgrains_things_done_total{kind=\"b\"} 1");
    }

    [Fact]
    public void Histograms_have_cumulative_buckets_sum_and_count_and_seconds_in_the_name()
    {
        using var exporter = new PrometheusMetricsExporter(["AccountGrains"], Factory);
        var histogram = Factory.Create("AccountGrains.Test").CreateHistogram<double>("accountgrains.batch.duration", unit: "s");
        histogram.Record(0.003);
        histogram.Record(0.2);
        histogram.Record(20);

        var lines = Lines(exporter);
        lines.Should().Contain("# TYPE accountgrains_batch_duration_seconds histogram");
        lines.Should().Contain("accountgrains_batch_duration_seconds_bucket{le=\"0.001\"} 0");
        lines.Should().Contain("accountgrains_batch_duration_seconds_bucket{le=\"0.005\"} 1");
        lines.Should().Contain("accountgrains_batch_duration_seconds_bucket{le=\"0.25\"} 2");
        lines.Should().Contain("accountgrains_batch_duration_seconds_bucket{le=\"10\"} 2");
        lines.Should().Contain("accountgrains_batch_duration_seconds_bucket{le=\"+Inf\"} 3");
        lines.Should().Contain("accountgrains_batch_duration_seconds_count 3");
        lines.Should().Contain("accountgrains_batch_duration_seconds_sum 20.203");
    }

    [Fact]
    public void Observable_gauges_are_read_at_each_scrape_and_up_down_counters_are_gauges()
    {
        using var exporter = new PrometheusMetricsExporter(["AccountGrains"], Factory);
        var meter = Factory.Create("AccountGrains.Test");
        var level = 7;
        meter.CreateObservableGauge("accountgrains.level", () => level);
        var open = meter.CreateUpDownCounter<long>("accountgrains.open");
        open.Add(3);
        open.Add(-1);

        Lines(exporter).Should().Contain("accountgrains_level 7").And.Contain("# TYPE accountgrains_open gauge").And.Contain("accountgrains_open 2");
        level = 9;
        Lines(exporter).Should().Contain("accountgrains_level 9").And.NotContain("accountgrains_level 7");
    }

    [Fact]
    public void Only_meters_of_its_own_scope_and_prefix_are_exported_and_label_values_are_escaped()
    {
        using var exporter = new PrometheusMetricsExporter(["AccountGrains"], Factory);
        using var otherServices = new ServiceCollection().AddMetrics().BuildServiceProvider();
        otherServices.GetRequiredService<IMeterFactory>().Create("AccountGrains.Other").CreateCounter<long>("accountgrains.other").Add(1);
        Factory.Create("Unrelated.Meter").CreateCounter<long>("unrelated").Add(1);
        Factory.Create("AccountGrains.Test").CreateCounter<long>("accountgrains.mine").Add(1, new KeyValuePair<string, object?>("why", "a \"quoted\"\nline"));

        var text = exporter.Scrape();
        text.Should().NotContain("accountgrains_other").And.NotContain("unrelated");
        text.Should().Contain("accountgrains_mine_total{why=\"a \\\"quoted\\\"\\nline\"} 1");
    }
}
