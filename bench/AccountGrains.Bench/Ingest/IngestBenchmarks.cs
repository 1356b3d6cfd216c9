using System.Diagnostics;
using System.Globalization;

using AccountGrains.Grains.Diagnostics;
using AccountGrains.Grains.Ingest;
using AccountGrains.Grains.Ingest.Yellowstone;
using AccountGrains.Runtime.Storage;
using AccountGrains.Testing.FakeYellowstone;

using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace AccountGrains.Bench.Ingest;

/// <summary>
/// The Yellowstone source against the scripted fake server on loopback (both in this process, on the same cores):
/// stream throughput (a from_slot replay of N token-account writes), how long an interest change takes to reach the
/// server, and how long a dropped stream takes to deliver again.
/// </summary>
public static class IngestBenchmarks
{
    public static async Task<int> RunAsync(int rounds, int updates)
    {
        Console.WriteLine($"AccountGrains ingest benchmark: {rounds} rounds, {updates} updates per stream round, {Environment.ProcessorCount} cores, .NET {Environment.Version}");
        var stream = new List<TimeSpan>();
        for (var round = 0; round <= rounds; round++)
        {
            var elapsed = await StreamAsync(updates);
            if (round > 0)
            {
                stream.Add(elapsed);
            }
        }

        var (rebuilds, resumes) = await ChangesAsync(rounds * 10);
        Console.WriteLine();
        Console.WriteLine("| scenario | median | min | max | rate (median) |");
        Console.WriteLine("| --- | ---: | ---: | ---: | ---: |");
        Row("yellowstone stream (replay from_slot)", stream, updates);
        Row("interest change → request at server", rebuilds, null);
        Row("dropped stream → next update delivered", resumes, null);
        return 0;
    }

    private static void Row(string scenario, List<TimeSpan> times, int? items)
    {
        times.Sort();
        var median = times[times.Count / 2];
        var rate = items is { } n ? (n / median.TotalSeconds).ToString("N0", CultureInfo.InvariantCulture) + " updates/s" : "";
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"| {scenario} | {median.TotalMilliseconds:F1} ms | {times[0].TotalMilliseconds:F1} ms | {times[^1].TotalMilliseconds:F1} ms | {rate} |"));
    }

    private static YellowstoneSource CreateSource(FakeYellowstoneServer server, InterestSet interest, IIngestStateStore store, ServiceProvider services) =>
        new(Options.Create(new YellowstoneOptions { Endpoint = server.Address }), interest, store,
            new GrainMetrics(services.GetRequiredService<System.Diagnostics.Metrics.IMeterFactory>()), NullLogger<YellowstoneSource>.Instance);

    private static async Task<TimeSpan> StreamAsync(int updates)
    {
        await using var server = await FakeYellowstoneServer.StartAsync();
        await using var services = new ServiceCollection().AddMetrics().BuildServiceProvider();
        var owner = Key(9_999);
        var data = new byte[165];
        for (var i = 0; i < updates; i++)
        {
            var slot = 1 + ((ulong)i / 100);
            server.Publish(slot, Key(i % 5_000), owner, (ulong)i, data, (ulong)i + 1);
        }

        var store = new InMemoryIngestStateStore();
        await store.SaveCheckpointAsync(YellowstoneSource.CheckpointName, 1, default);
        var interest = new InterestSet();
        interest.Add(Interest.Program(AccountGrains.Solana.Base58.Encode(owner)));
        var source = CreateSource(server, interest, store, services);
        using var stop = new CancellationTokenSource();
        var watch = Stopwatch.StartNew();
        var received = 0;
        await foreach (var _ in source.ReadAsync(_ => { }, stop.Token))
        {
            if (++received == updates)
            {
                break;
            }
        }

        return watch.Elapsed;
    }

    private static async Task<(List<TimeSpan> Rebuilds, List<TimeSpan> Resumes)> ChangesAsync(int count)
    {
        await using var server = await FakeYellowstoneServer.StartAsync();
        await using var services = new ServiceCollection().AddMetrics().BuildServiceProvider();
        var interest = new InterestSet();
        interest.Add(Interest.Account(AccountGrains.Solana.Base58.Encode(Key(0))));
        var source = CreateSource(server, interest, new InMemoryIngestStateStore(), services);
        using var stop = new CancellationTokenSource();
        var delivered = 0;
        var reading = Task.Run(async () =>
        {
            await foreach (var _ in source.ReadAsync(_ => { }, stop.Token))
            {
                Interlocked.Increment(ref delivered);
            }
        });
        await server.WaitForStreamsAsync(1);

        var rebuilds = new List<TimeSpan>();
        for (var i = 1; i <= count; i++)
        {
            var before = server.FilterRequests.Count;
            var watch = Stopwatch.StartNew();
            interest.Add(Interest.Account(AccountGrains.Solana.Base58.Encode(Key(i))));
            while (server.FilterRequests.Count == before)
            {
                await Task.Delay(1);
            }

            rebuilds.Add(watch.Elapsed);
        }

        var resumes = new List<TimeSpan>();
        ulong slot = 10;
        for (var i = 0; i < Math.Min(count, 20); i++)
        {
            server.Publish(++slot, Key(0), new byte[32], slot, [], slot);
            server.CompleteSlot(slot);
            while (Volatile.Read(ref delivered) < i * 2 + 1)
            {
                await Task.Delay(1);
            }

            var streams = server.StreamCount;
            var watch = Stopwatch.StartNew();
            server.DropStreams();
            while (server.StreamCount == streams || server.ActiveStreams == 0)
            {
                await Task.Delay(1);
            }

            server.Publish(++slot, Key(0), new byte[32], slot, [], slot);
            server.CompleteSlot(slot);
            while (Volatile.Read(ref delivered) < i * 2 + 2)
            {
                await Task.Delay(1);
            }

            resumes.Add(watch.Elapsed);
        }

        await stop.CancelAsync();
        await reading.ContinueWith(_ => { }, TaskScheduler.Default);
        return (rebuilds, resumes);
    }

    private static byte[] Key(int seed)
    {
        var key = new byte[32];
        BitConverter.TryWriteBytes(key, seed + 1);
        key[31] = 7;
        return key;
    }
}
