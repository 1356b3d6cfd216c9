using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using AccountGrains.Grains.Diagnostics;
using AccountGrains.Solana;
using Microsoft.Extensions.DependencyInjection;

namespace AccountGrains.Grains.Tests;

public sealed class GrainMetricsTests
{
    [Fact]
    public async Task Applied_duplicate_stale_and_undecodable_updates_are_counted_with_their_tags()
    {
        await using var silo = await TestSilo.StartAsync();
        var meter = silo.Services.GetRequiredService<GrainMetrics>().Meter;
        var measurements = new ConcurrentQueue<(string Instrument, long Value, Dictionary<string, object?> Tags)>();
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (ReferenceEquals(instrument.Meter, meter))
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<long>((instrument, value, tags, _) =>
            measurements.Enqueue((instrument.Name, value, tags.ToArray().ToDictionary(t => t.Key, t => t.Value))));
        listener.Start();

        var bytes = new byte[32];
        Random.Shared.NextBytes(bytes);
        var pubkey = Base58.Encode(bytes);
        var grain = silo.Grains.Get<IAccountGrain>(pubkey);
        AccountUpdate Update(ulong slot, string owner, byte[] data) => new(pubkey, owner, 1, data, false, 0, slot, slot, null, DateTimeOffset.UtcNow);
        await grain.ApplyAndReportAsync(Update(5, "11111111111111111111111111111111", []));
        await grain.ApplyAndReportAsync(Update(5, "11111111111111111111111111111111", []));
        await grain.ApplyAndReportAsync(Update(4, "11111111111111111111111111111111", []));
        await grain.ApplyAndReportAsync(Update(6, "TokenkegQfeZyiNwAJbNbGKPFXCWuBvf9Ss623VQ5DA", [1, 2, 3]));

        measurements.Where(m => m.Instrument == "accountgrains.updates.applied").Select(m => m.Tags["program"])
            .Should().Equal("system", "spl-token");
        measurements.Where(m => m.Instrument == "accountgrains.updates.dropped").Select(m => m.Tags["reason"])
            .Should().Equal("duplicate", "stale");
        measurements.Where(m => m.Instrument == "accountgrains.decode.failures").Select(m => (m.Tags["program"], m.Tags["reason"]))
            .Should().Equal(("spl-token", "invalid_length"));
    }
}
