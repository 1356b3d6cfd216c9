using System.Diagnostics;
using System.Globalization;
using AccountGrains.Bench.Pipeline;
using AccountGrains.Runtime.Transport;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Npgsql;

namespace AccountGrains.Bench.Cluster;

/// <summary>
/// What cluster mode costs against the embedded mode on the same PostgreSQL: N one-way updates over M accounts, sent
/// the way the ingest sends them, until every account's newest state is in the <c>accounts</c> table. Embedded: the
/// in-process transport. Cluster: one silo owning every partition, each update a persistent publish to its partition's
/// quorum queue, consumed, applied, stored by the write-behind and only then acknowledged. Each round gets a fresh
/// schema and a fresh queue prefix. Needs the servers of <c>scripts/test-servers.sh</c> (ACCOUNTGRAINS_TEST_POSTGRES,
/// ACCOUNTGRAINS_TEST_RABBITMQ).
/// </summary>
internal static class ClusterBenchmarks
{
    public static async Task<int> RunAsync(int rounds, int updates, int accounts)
    {
        var postgres = Environment.GetEnvironmentVariable("ACCOUNTGRAINS_TEST_POSTGRES");
        var rabbit = Environment.GetEnvironmentVariable("ACCOUNTGRAINS_TEST_RABBITMQ");
        if (string.IsNullOrEmpty(postgres) || string.IsNullOrEmpty(rabbit))
        {
            Console.Error.WriteLine("the cluster benchmark needs PostgreSQL and RabbitMQ: eval \"$(scripts/test-servers.sh start)\" first");
            return 2;
        }

        Console.WriteLine($"AccountGrains cluster benchmark: {rounds} rounds after a warm-up, {Environment.ProcessorCount} cores, .NET {Environment.Version}");
        var embedded = await MeasureAsync(rounds, () => RoundAsync(postgres, rabbit: null, updates, accounts));
        var cluster = await MeasureAsync(rounds, () => RoundAsync(postgres, rabbit, updates, accounts));
        Console.WriteLine();
        Console.WriteLine("| scenario | median | min | max | updates/s (median) |");
        Console.WriteLine("| --- | ---: | ---: | ---: | ---: |");
        Row($"embedded: {updates:N0} updates over {accounts:N0} accounts, in-process transport, PostgreSQL", embedded, updates);
        Row($"cluster: the same through RabbitMQ partition queues (1 silo, ack after stored), PostgreSQL", cluster, updates);
        Console.WriteLine();
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"cluster / embedded time ratio: {cluster[cluster.Count / 2].TotalMilliseconds / embedded[embedded.Count / 2].TotalMilliseconds:F2}"));
        return 0;
    }

    private static void Row(string name, List<TimeSpan> times, int updates) =>
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"| {name} | {times[times.Count / 2].TotalMilliseconds:F0} ms | {times[0].TotalMilliseconds:F0} ms | {times[^1].TotalMilliseconds:F0} ms | {updates / times[times.Count / 2].TotalSeconds:N0} |"));

    private static async Task<List<TimeSpan>> MeasureAsync(int rounds, Func<Task<TimeSpan>> round)
    {
        await round(); // warm-up
        var times = new List<TimeSpan>();
        for (var i = 0; i < rounds; i++)
        {
            times.Add(await round());
        }

        times.Sort();
        return times;
    }

    private static async Task<TimeSpan> RoundAsync(string postgres, string? rabbit, int updates, int accounts)
    {
        var schema = "bench_" + Guid.NewGuid().ToString("N")[..12];
        await using var admin = NpgsqlDataSource.Create(postgres);
        await using (var create = admin.CreateCommand($"CREATE SCHEMA {schema}"))
        {
            await create.ExecuteNonQueryAsync();
        }

        var connection = new NpgsqlConnectionStringBuilder(postgres) { SearchPath = schema }.ConnectionString;
        try
        {
            var settings = new Dictionary<string, string?>
            {
                ["AccountGrains:Storage:Provider"] = "Postgres",
                ["AccountGrains:Storage:ConnectionString"] = connection,
                ["AccountGrains:Runtime:PartitionCount"] = "16",
                ["Logging:LogLevel:Default"] = "Warning",
            };
            if (rabbit is not null)
            {
                settings["AccountGrains:Cluster:Enabled"] = "true";
                settings["AccountGrains:RabbitMq:Uri"] = rabbit;
                settings["AccountGrains:RabbitMq:Prefix"] = schema + ".";
            }

            using var host = await EmbeddedSilo.StartAsync(settings);
            try
            {
                var grains = host.Services.GetRequiredService<IGrainFactory>();
                if (rabbit is not null)
                {
                    await WaitForAllPartitionsAsync(host.Services);
                }

                var work = PipelineBenchmarks.Workload(updates, accounts, seed: 21);
                var expected = work.Final.Values.Aggregate(0m, (sum, token) => sum + token.WriteVersion);
                var started = Stopwatch.GetTimestamp();
                foreach (var update in work.Updates)
                {
                    await grains.Get<IAccountGrain>(update.Pubkey).ApplyAsync(update);
                }

                await using var data = NpgsqlDataSource.Create(connection);
                while (true)
                {
                    await using var sum = data.CreateCommand("SELECT COALESCE(SUM(write_version), 0) FROM accounts");
                    if (Convert.ToDecimal(await sum.ExecuteScalarAsync(), CultureInfo.InvariantCulture) == expected)
                    {
                        break;
                    }

                    await Task.Delay(5);
                }

                var elapsed = Stopwatch.GetElapsedTime(started);
                if (rabbit is not null)
                {
                    await host.Services.GetRequiredService<IMessageTransport>().FlushAsync();
                }

                return elapsed;
            }
            finally
            {
                await host.StopAsync();
            }
        }
        finally
        {
            await using var drop = admin.CreateCommand($"DROP SCHEMA {schema} CASCADE");
            await drop.ExecuteNonQueryAsync();
        }
    }

    private static async Task WaitForAllPartitionsAsync(IServiceProvider services)
    {
        var silo = services.GetServices<IHostedService>().OfType<Runtime.Hosting.Cluster.ClusterSiloHost>().Single();
        while (silo.Processing.Count < 16)
        {
            await Task.Delay(20);
        }
    }
}
