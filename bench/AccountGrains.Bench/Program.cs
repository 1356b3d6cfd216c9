using System.Globalization;
using AccountGrains.Bench.Ingest;
using AccountGrains.Bench.Micro;
using AccountGrains.Bench.Pipeline;
using AccountGrains.Bench.Wallets;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Running;

// dotnet run -c Release --project bench/AccountGrains.Bench -- pipeline [rounds] [updates] [accounts] [sockets]
// dotnet run -c Release --project bench/AccountGrains.Bench -- micro [BenchmarkDotNet args, e.g. --filter *Wire*]
// dotnet run -c Release --project bench/AccountGrains.Bench -- decode [BenchmarkDotNet args]
// dotnet run -c Release --project bench/AccountGrains.Bench -- ingest [rounds] [updates]
// dotnet run -c Release --project bench/AccountGrains.Bench -- cluster [rounds] [updates] [accounts]   (needs scripts/test-servers.sh)
// dotnet run -c Release --project bench/AccountGrains.Bench -- wallets [rounds] [transactions] [wallets]   (PostgreSQL too with scripts/test-servers.sh)
var mode = args.Length > 0 ? args[0] : "pipeline";
if (mode == "cluster")
{
    return await AccountGrains.Bench.Cluster.ClusterBenchmarks.RunAsync(
        args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 3,
        args.Length > 2 ? int.Parse(args[2], CultureInfo.InvariantCulture) : 100_000,
        args.Length > 3 ? int.Parse(args[3], CultureInfo.InvariantCulture) : 5_000);
}

if (mode == "ingest")
{
    return await IngestBenchmarks.RunAsync(args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 5,
        args.Length > 2 ? int.Parse(args[2], CultureInfo.InvariantCulture) : 100_000);
}

if (mode == "wallets")
{
    return await WalletBenchmarks.RunAsync(args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 5,
        args.Length > 2 ? int.Parse(args[2], CultureInfo.InvariantCulture) : 20_000,
        args.Length > 3 ? int.Parse(args[3], CultureInfo.InvariantCulture) : 200);
}

if (mode is "micro" or "decode")
{
    var config = DefaultConfig.Instance.AddJob(Job.ShortRun).WithOptions(ConfigOptions.DisableOptimizationsValidator);
    if (mode == "micro")
    {
        BenchmarkRunner.Run([typeof(HotPathBenchmarks), typeof(WireBenchmarks)], config, args.Skip(1).ToArray());
    }
    else
    {
        BenchmarkRunner.Run<DecodeBenchmarks>(config, args.Skip(1).ToArray());
    }

    return 0;
}

if (mode != "pipeline")
{
    Console.Error.WriteLine($"unknown mode '{mode}': use 'pipeline', 'micro', 'decode', 'ingest', 'cluster' or 'wallets'");
    return 2;
}

int Arg(int index, int fallback) => args.Length > index ? int.Parse(args[index], CultureInfo.InvariantCulture) : fallback;
var rounds = Arg(1, 5);
var updates = Arg(2, 100_000);
var accounts = Arg(3, 5_000);
var sockets = Arg(4, 50);
Console.WriteLine($"AccountGrains pipeline benchmark: {rounds} rounds after a warm-up, {Environment.ProcessorCount} cores, .NET {Environment.Version}");
var results = await PipelineBenchmarks.RunAsync(rounds, updates, accounts, sockets);
Console.WriteLine();
Console.WriteLine("| scenario | median | min | max | items/s (median) |");
Console.WriteLine("| --- | ---: | ---: | ---: | ---: |");
foreach (var r in results)
{
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
        $"| {r.Scenario} | {r.Median.TotalMilliseconds:F0} ms | {r.Min.TotalMilliseconds:F0} ms | {r.Max.TotalMilliseconds:F0} ms | {r.PerSecond:N0} |"));
}

Console.WriteLine();
Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"replay / apply time ratio: {results[2].Median / results[1].Median:F2}"));
return 0;
