using AccountGrains.Client;
using AccountGrains.Runtime.Cluster;
using AccountGrains.Cluster.Tests.Support;
using Xunit.Abstractions;

namespace AccountGrains.Cluster.Tests;

/// <summary>
/// The harness itself, on embedded processes (each on its own SQLite, no server needed): real processes start, log
/// JSON that is parsed, stop with exit code 0 on SIGTERM, die at once on SIGKILL, and a gateway serves /ws.
/// </summary>
public sealed class HarnessTests(ITestOutputHelper output)
{
    private static TestClusterOptions Embedded(int silos, int gateways, string? replayFile = null) => new()
    {
        Mode = TestClusterMode.Embedded,
        Silos = silos,
        Gateways = gateways,
        ReplayFile = replayFile,
    };

    [Fact]
    public async Task A_silo_process_logs_json_and_stops_on_SIGTERM_with_exit_code_0_after_its_shutdown_ran()
    {
        await using var cluster = await TestCluster.StartNewAsync(Embedded(silos: 1, gateways: 0));
        var silo = cluster.Silos.Single();
        silo.MemberId.Should().Be("silo-1");
        silo.ReadyAt.Should().NotBeNull();
        silo.IsRunning.Should().BeTrue();
        var started = await silo.WaitForLogAsync(e => e.EventId == HostEventIds.SiloStarted, TimeSpan.FromSeconds(30), "Silo started (1007)");
        started.Category.Should().Be("AccountGrains.Runtime.Hosting.SiloHost");
        started.Level.Should().Be("Information");
        started.Number("PartitionCount").Should().Be(16, "the harness sets AccountGrains__Runtime__PartitionCount");
        started.Timestamp.Offset.Should().Be(TimeSpan.Zero);
        started.Timestamp.Should().BeCloseTo(DateTimeOffset.UtcNow, TimeSpan.FromMinutes(1));

        var code = await silo.StopAsync();

        code.Should().Be(0);
        silo.State.Should().Be("exited 0");
        silo.IsRunning.Should().BeFalse();
        silo.EndOfLife.Should().Be(silo.ExitedAt);
        silo.Logs.Should().Contain(e => e.EventId == HostEventIds.SiloStopped, "SIGTERM runs the host's graceful shutdown");
        File.ReadLines(silo.LogPath).Should().OnlyContain(line => line.StartsWith('{'), "every stdout line is one JSON object");
        silo.LineCount.Should().Be(silo.Logs.Count);
    }

    [Fact]
    public async Task A_killed_process_dies_at_once_without_running_its_shutdown()
    {
        await using var cluster = await TestCluster.StartNewAsync(Embedded(silos: 2, gateways: 0));
        var (victim, survivor) = (cluster.Silos[0], cluster.Silos[1]);
        await victim.WaitForLogAsync(e => e.EventId == HostEventIds.SiloStarted, TimeSpan.FromSeconds(30), "Silo started (1007)");

        await victim.KillAsync();

        victim.HasExited.Should().BeTrue();
        victim.ExitCode.Should().Be(137, "128 + SIGKILL");
        victim.KilledAt.Should().NotBeNull();
        victim.EndOfLife.Should().Be(victim.KilledAt);
        victim.State.Should().Be("killed, exit 137");
        victim.Logs.Should().NotContain(e => e.EventId == HostEventIds.SiloStopped, "nothing of the shutdown runs on SIGKILL");
        cluster.RunningSilos.Should().Equal(survivor);
        (await survivor.StopAsync()).Should().Be(0);
    }

    [Fact]
    public async Task A_gateway_process_listens_on_its_own_port_and_streams_the_replayed_accounts_over_ws()
    {
        var directory = Directory.CreateTempSubdirectory("accountgrains-harness-");
        try
        {
            var scenario = ReplayScenario.Generate(accounts: 20, updatesPerAccount: 5);
            var replay = Path.Combine(directory.FullName, "replay.jsonl");
            scenario.WriteTo(replay);
            await using var cluster = await TestCluster.StartNewAsync(Embedded(silos: 0, gateways: 2, replay));
            cluster.Gateways.Select(g => g.MemberId).Should().Equal("gateway-1", "gateway-2");
            cluster.Gateways[0].Port.Should().NotBe(cluster.Gateways[1].Port);

            using var client = new AccountGrainsClient(cluster.Gateways[0].Address);
            var key = scenario.Pubkeys[3];
            await Waits.UntilAsync(async () => (await client.GetAccountAsync(key))?.WriteVersion == scenario.Newest[key].WriteVersion, "the replay to reach the newest state");
            await using (var subscriber = await RecordingSubscriber.StartAsync(cluster.Gateways[1].Address, scenario.Pubkeys))
            {
                await Waits.UntilAsync(() => scenario.Pubkeys.All(p => subscriber.Last(p)?.WriteVersion == scenario.Newest[p].WriteVersion), "every key's newest state at the subscriber");
                subscriber.Regressions().Should().BeEmpty();
                subscriber.Errors.Should().BeEmpty();
            }

            // Closed first: a gateway with open sockets takes HostOptions.ShutdownTimeout to stop (see the skipped test below).
            foreach (var gateway in cluster.Gateways)
            {
                (await gateway.StopAsync()).Should().Be(0, gateway.Tail());
            }
        }
        finally
        {
            directory.Delete(recursive: true);
        }
    }

    [Fact]
    public async Task A_gateway_with_an_open_socket_stops_within_5_seconds_of_SIGTERM()
    {
        await using var cluster = await TestCluster.StartNewAsync(Embedded(silos: 0, gateways: 1));
        var gateway = cluster.Gateways[0];
        await using var subscriber = await RecordingSubscriber.StartAsync(gateway.Address, [ReplayScenario.Generate(1, 1).Pubkeys[0]]);

        var code = await gateway.StopAsync(TimeSpan.FromSeconds(5));

        code.Should().Be(0);
    }

    [Fact]
    public async Task DescribeLogs_shows_every_process_with_its_log_file_and_last_lines()
    {
        await using var cluster = await TestCluster.StartNewAsync(Embedded(silos: 1, gateways: 1));
        await cluster.Silos[0].KillAsync();

        var described = cluster.DescribeLogs(5);
        output.WriteLine(described);

        described.Should().Contain(cluster.Directory);
        described.Should().Contain("--- silo-1 (pid").And.Contain("killed, exit 137").And.Contain(cluster.Silos[0].LogPath);
        described.Should().Contain("--- gateway-1 (pid").And.Contain("running");
    }

    [Fact]
    public async Task Dispose_kills_what_still_runs_and_deletes_the_folder()
    {
        var cluster = await TestCluster.StartNewAsync(Embedded(silos: 1, gateways: 0));
        var silo = cluster.Silos[0];

        await cluster.DisposeAsync();

        silo.HasExited.Should().BeTrue();
        Directory.Exists(cluster.Directory).Should().Be(Environment.GetEnvironmentVariable(TestCluster.KeepLogsVariable) is { Length: > 0 });
    }

    [Fact]
    public async Task A_process_that_fails_at_start_up_fails_the_start_with_its_log()
    {
        var options = Embedded(silos: 1, gateways: 0);
        options.Environment["AccountGrains__Runtime__PartitionCount"] = "0";

        var start = () => TestCluster.StartNewAsync(options);

        var failure = await start.Should().ThrowAsync<InvalidOperationException>();
        failure.Which.Message.Should().Contain("silo-1 exited with").And.Contain("PartitionCount");
    }

    [Fact]
    public void The_processes_get_the_cluster_contract_and_nothing_inherited_from_the_test_runner()
    {
        var options = new TestClusterOptions { Mode = TestClusterMode.Embedded, PartitionCount = 8 };
        options.GatewayEnvironment["Extra"] = "1";
        var cluster = new TestCluster(options);
        try
        {
            var silo = cluster.EnvironmentFor(ClusterHostKind.Silo, "silo-1", "/bin-dir");
            silo["AccountGrains__Runtime__PartitionCount"].Should().Be("8");
            silo["Logging__Console__FormatterName"].Should().Be("json");
            silo["Logging__Console__FormatterOptions__TimestampFormat"].Should().Be("yyyy-MM-ddTHH:mm:ss.fffffffZ");
            silo["Logging__Console__FormatterOptions__UseUtcTimestamp"].Should().Be("true");
            silo["DOTNET_CONTENTROOT"].Should().Be("/bin-dir");
            silo.Should().NotContainKey("AccountGrains__Cluster__Enabled").And.NotContainKey("Extra");
            cluster.EnvironmentFor(ClusterHostKind.Gateway, "gateway-1", "/bin-dir").Should().ContainKey("Extra");
        }
        finally
        {
            Directory.Delete(cluster.Directory, recursive: true);
        }
    }

    [Fact]
    public void Fast_timings_pass_the_cluster_options_validator()
    {
        var t = ClusterTimings.Fast;
        var options = new ClusterOptions
        {
            ConnectionString = "Host=localhost",
            HeartbeatInterval = t.HeartbeatInterval,
            DeadAfter = t.DeadAfter,
            LeaseDuration = t.LeaseDuration,
            RenewInterval = t.RenewInterval,
            SafetyMargin = t.SafetyMargin,
        };

        new ClusterOptionsValidator().Validate(null, options).Failures.Should().BeNullOrEmpty();
        t.ToEnvironment().Should().Contain(new KeyValuePair<string, string>("AccountGrains__Cluster__LeaseDuration", "00:00:06"))
            .And.Contain(new KeyValuePair<string, string>("AccountGrains__Cluster__HeartbeatInterval", "00:00:00.5000000"));
    }
}
