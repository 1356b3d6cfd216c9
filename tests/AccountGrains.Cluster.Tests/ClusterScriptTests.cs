using System.Diagnostics;

namespace AccountGrains.Cluster.Tests;

/// <summary>scripts/cluster.sh, cheaply: its help and a dry run (what it would start), without servers or processes.</summary>
public sealed class ClusterScriptTests
{
    private static async Task<(int Code, string Output)> RunAsync(params string[] arguments)
    {
        var start = new ProcessStartInfo("bash") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add(Path.Combine(RepositoryRoot.Find(), "scripts", "cluster.sh"));
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        start.Environment["ACCOUNTGRAINS_CLUSTER_DIR"] = Path.Combine(Path.GetTempPath(), "accountgrains-cluster-script-" + Guid.NewGuid().ToString("N")[..8]);
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync().OrHang();
        return (process.ExitCode, await output + await error);
    }

    [Fact]
    public async Task Help_lists_every_command()
    {
        var (code, output) = await RunAsync("--help");

        code.Should().Be(0);
        output.Should().Contain("start [--silos 3] [--gateways 2] [--replay FILE]").And.Contain("status").And.Contain("kill silo-2")
            .And.Contain("stop silo-2").And.Contain("add silo|gateway").And.Contain("logs silo-1");
    }

    [Fact]
    public async Task A_dry_run_names_three_silos_and_two_gateways_on_8080_and_8081_and_starts_nothing()
    {
        var replay = Path.Combine(RepositoryRoot.Find(), "samples", "replay", "sample.jsonl");

        var (code, output) = await RunAsync("start", "--dry-run", "--replay", replay);

        code.Should().Be(0, output);
        output.Should().Contain("silo-1: dotnet ").And.Contain("silo-3: dotnet ").And.NotContain("silo-4");
        output.Should().Contain("gateway-1: dotnet ").And.Contain("--urls http://127.0.0.1:8080").And.Contain("gateway-2: dotnet ").And.Contain("--urls http://127.0.0.1:8081");
        output.Should().Contain("AccountGrains.Silo.dll").And.Contain("AccountGrains.Gateway.dll").And.Contain(replay);
    }

    [Fact]
    public async Task An_unknown_command_or_option_exits_2_with_the_usage()
    {
        (await RunAsync("frobnicate")).Code.Should().Be(2);
        var (code, output) = await RunAsync("start", "--dry-run", "--nodes", "3");
        code.Should().Be(2);
        output.Should().Contain("unknown option --nodes");
    }
}
