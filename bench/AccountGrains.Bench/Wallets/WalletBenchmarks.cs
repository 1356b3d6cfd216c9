using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using AccountGrains.Grains.Wallets;
using Microsoft.Extensions.DependencyInjection;

namespace AccountGrains.Bench.Wallets;

/// <summary>
/// Wallet activity end to end in an embedded silo with the ingest idle: N pre-built transactions over M tracked
/// wallets handed to the silo's <see cref="WalletRouter"/> one after the other (each <c>RouteAsync</c> awaited, as the
/// Yellowstone source does), through the wallet grains (each entry stored before its turn ends) to the wallets'
/// streams, and with a global webhook sink also to a Kestrel receiver on loopback. The clock stops at the last
/// expected stream event (and delivery). Each round has a fresh silo, database and signatures; the first is a warm-up.
/// </summary>
internal static class WalletBenchmarks
{
    // A round fails when nothing more arrived for this long (e.g. notifications turned into dead letters).
    private static readonly TimeSpan Stall = TimeSpan.FromSeconds(30);

    public static async Task<int> RunAsync(int rounds, int transactions, int wallets)
    {
        var postgres = Environment.GetEnvironmentVariable("ACCOUNTGRAINS_TEST_POSTGRES");
        Console.WriteLine($"AccountGrains wallet benchmark: {rounds} rounds after a warm-up, {transactions:N0} transactions over {wallets:N0} wallets");
        Console.WriteLine($"machine: {CpuModel()}, {Environment.ProcessorCount} cores, {RuntimeInformation.OSDescription}, .NET {Environment.Version}");
        await using var webhook = await WebhookCounter.StartAsync();
        var entries = WalletWorkload.EntriesOf(transactions);
        var results = new List<(string Name, IReadOnlyList<Round> Rounds)>
        {
            ($"A activity, no sinks: {transactions:N0} transactions ({entries:N0} entries) over {wallets} wallets, SQLite",
                await MeasureAsync(rounds, seed => RoundAsync(transactions, wallets, seed, postgres: null, webhook: null))),
            ($"B activity + webhook: the same, a global webhook sink (receiver on loopback), SQLite",
                await MeasureAsync(rounds, seed => RoundAsync(transactions, wallets, seed, postgres: null, webhook))),
        };
        if (postgres is not null)
        {
            results.Add(($"C activity, no sinks: the same as A on PostgreSQL",
                await MeasureAsync(rounds, seed => RoundAsync(transactions, wallets, seed, postgres, webhook: null))));
        }

        Console.WriteLine();
        Console.WriteLine("| scenario | median | min | max | transactions/s | entries/s | event latency p50 / p99 | webhook latency p50 / p99 |");
        Console.WriteLine("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |");
        foreach (var (name, measured) in results)
        {
            var median = Median(measured, r => r.Elapsed);
            var webhookLatency = measured[0].WebhookP50 is null ? "" : $"{Ms(Median(measured, r => r.WebhookP50!.Value))} / {Ms(Median(measured, r => r.WebhookP99!.Value))}";
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"| {name} | {median.TotalMilliseconds:F0} ms | {measured.Min(r => r.Elapsed).TotalMilliseconds:F0} ms | {measured.Max(r => r.Elapsed).TotalMilliseconds:F0} ms | {transactions / median.TotalSeconds:N0} | {entries / median.TotalSeconds:N0} | {Ms(Median(measured, r => r.EventP50))} / {Ms(Median(measured, r => r.EventP99))} | {webhookLatency} |"));
        }

        Console.WriteLine();
        Console.WriteLine("latencies: per transaction, from its RouteAsync call to its last stream event (delivery), median over rounds of each round's p50 / p99");
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"webhook / no sinks (B / A) time ratio: {Median(results[1].Rounds, r => r.Elapsed) / Median(results[0].Rounds, r => r.Elapsed):F2}"));
        if (postgres is null)
        {
            Console.WriteLine("C (PostgreSQL) skipped: ACCOUNTGRAINS_TEST_POSTGRES is not set (eval \"$(scripts/test-servers.sh start)\" first)");
        }
        else
        {
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"PostgreSQL / SQLite (C / A) time ratio: {Median(results[2].Rounds, r => r.Elapsed) / Median(results[0].Rounds, r => r.Elapsed):F2}"));
        }

        return 0;
    }

    private static async Task<IReadOnlyList<Round>> MeasureAsync(int rounds, Func<int, Task<Round>> round)
    {
        await round(0); // warm-up: JIT, pools
        var measured = new List<Round>();
        for (var i = 1; i <= rounds; i++)
        {
            measured.Add(await round(i));
        }

        return measured;
    }

    private static async Task<Round> RoundAsync(int transactions, int walletCount, int seed, string? postgres, WebhookCounter? webhook)
    {
        await using var database = await BenchDatabase.CreateAsync(postgres);
        var settings = new Dictionary<string, string?>(database.Settings) { ["Logging:LogLevel:Default"] = "Warning" };
        if (webhook is not null)
        {
            settings["AccountGrains:Notifications:Sinks:0:Kind"] = "webhook";
            settings["AccountGrains:Notifications:Sinks:0:Url"] = webhook.Url;
            // A round is one burst: room for all of it, so none becomes a dead letter while the receiver catches up.
            settings["AccountGrains:Notifications:QueueCapacity"] = (transactions * 2).ToString(CultureInfo.InvariantCulture);
        }

        using var host = await EmbeddedSilo.StartAsync(settings);
        try
        {
            var work = WalletWorkload.Create(transactions, walletCount, seed);
            var grains = host.Services.GetRequiredService<IGrainFactory>();
            foreach (var wallet in work.Wallets)
            {
                await grains.Get<IWalletGrain>(wallet).TrackAsync(new WalletTrackRequest("bench", []));
            }

            var routedAt = new long[transactions];
            var events = new Arrivals(work, routedAt);
            var deliveries = webhook is null ? null : new Arrivals(work, routedAt);
            webhook?.CountFor(deliveries);
            var streams = host.Services.GetRequiredService<IStreamProvider>();
            var subscriptions = new List<IAsyncDisposable>();
            foreach (var wallet in work.Wallets)
            {
                subscriptions.Add(await streams.SubscribeWalletAsync(StreamId.ForWallet(wallet), e =>
                {
                    if (e.Activity is { } activity)
                    {
                        events.Arrive(activity.Signature);
                    }

                    return ValueTask.CompletedTask;
                }));
            }

            var router = host.Services.GetRequiredService<WalletRouter>();
            var started = Stopwatch.GetTimestamp();
            for (var i = 0; i < work.Transactions.Length; i++)
            {
                routedAt[i] = Stopwatch.GetTimestamp();
                await router.RouteAsync(work.Transactions[i].Facts, CancellationToken.None);
            }

            await events.WaitAsync("activity events", Stall);
            var finished = events.FinishedAt;
            if (deliveries is not null)
            {
                await deliveries.WaitAsync("webhook deliveries", Stall);
                finished = Math.Max(finished, deliveries.FinishedAt);
            }

            webhook?.CountFor(null);
            foreach (var subscription in subscriptions)
            {
                await subscription.DisposeAsync();
            }

            var eventLatencies = events.Latencies();
            var webhookLatencies = deliveries?.Latencies();
            return new Round(
                Stopwatch.GetElapsedTime(started, finished),
                Percentile(eventLatencies, 0.50),
                Percentile(eventLatencies, 0.99),
                webhookLatencies is null ? null : Percentile(webhookLatencies, 0.50),
                webhookLatencies is null ? null : Percentile(webhookLatencies, 0.99));
        }
        finally
        {
            await host.StopAsync();
        }
    }

    private static TimeSpan Percentile(TimeSpan[] sorted, double p) => sorted[Math.Min(sorted.Length - 1, (int)(sorted.Length * p))];

    private static TimeSpan Median(IEnumerable<Round> rounds, Func<Round, TimeSpan> value)
    {
        var sorted = rounds.Select(value).Order().ToList();
        return sorted[sorted.Count / 2];
    }

    private static string Ms(TimeSpan time) => string.Create(CultureInfo.InvariantCulture, $"{time.TotalMilliseconds:F1} ms");

    private static string CpuModel()
    {
        const string cpuInfo = "/proc/cpuinfo";
        var model = File.Exists(cpuInfo)
            ? File.ReadLines(cpuInfo).FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal))?.Split(':', 2)[1].Trim()
            : null;
        return model ?? RuntimeInformation.ProcessArchitecture.ToString();
    }

    /// <summary>One timed round: wall time, and per-transaction latency percentiles to the stream and the webhook.</summary>
    private sealed record Round(TimeSpan Elapsed, TimeSpan EventP50, TimeSpan EventP99, TimeSpan? WebhookP50, TimeSpan? WebhookP99);
}
