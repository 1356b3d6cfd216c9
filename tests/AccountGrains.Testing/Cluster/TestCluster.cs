using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using AccountGrains.Testing.Servers;

namespace AccountGrains.Testing.Cluster;

/// <summary>
/// A cluster of real processes on this machine, in the spirit of Orleans' TestCluster: N silos (<c>src/Silo</c>) and M
/// gateways (<c>src/Gateway</c>) against the PostgreSQL and RabbitMQ that <c>./test.sh</c> starts, each cluster in a
/// schema and a queue-name prefix of its own. Processes can be started, stopped gracefully (SIGTERM) and killed
/// without cleanup (SIGKILL) at any time; their JSON logs are captured and parsed; <see cref="Leases"/> records every
/// change of partition ownership. Dispose kills what is left and deletes the folder (kept when
/// <c>ACCOUNTGRAINS_KEEP_CLUSTER_LOGS</c> is set). See Cluster/README.md.
/// </summary>
public sealed class TestCluster : IAsyncDisposable
{
    /// <summary>Set to anything to keep the cluster's folder (logs, working directories) after dispose.</summary>
    public const string KeepLogsVariable = "ACCOUNTGRAINS_KEEP_CLUSTER_LOGS";

    /// <summary>Every process the harness starts carries this in its environment (the cluster's folder), so a leftover can be found.</summary>
    public const string MarkerVariable = "ACCOUNTGRAINS_TEST_CLUSTER";

    private static readonly string[] NotInherited = ["ASPNETCORE_", "ACCOUNTGRAINS__", "LOGGING__", "DOTNET_URLS", "URLS", "DOTNET_ENVIRONMENT", "DOTNET_CONTENTROOT"];
    private readonly object _gate = new();
    private readonly List<SiloProcess> _silos = [];
    private readonly List<GatewayProcess> _gateways = [];
    private readonly HashSet<string> _memberIds = new(StringComparer.Ordinal);
    private readonly PostgresSchema? _schema;
    private readonly HttpClient _http = new() { Timeout = TimeSpan.FromSeconds(5) };
    private ClusterDatabase? _database;
    private LeaseWatcher? _leases;
    private int _nextSilo;
    private int _nextGateway;
    private bool _disposed;

    public TestCluster(TestClusterOptions? options = null)
    {
        Options = options ?? new TestClusterOptions();
        Id = "tc-" + Guid.NewGuid().ToString("N")[..8];
        Directory = Options.Directory ?? Path.Combine(Path.GetTempPath(), "accountgrains-cluster", Id);
        System.IO.Directory.CreateDirectory(Directory);
        if (Options.Mode == TestClusterMode.Cluster)
        {
            RabbitMqUri = Options.RabbitMqUri ?? Environment.GetEnvironmentVariable(RabbitMqFactAttribute.UriVariable)
                ?? throw new InvalidOperationException($"{RabbitMqFactAttribute.UriVariable} is not set (scripts/test-servers.sh start sets it)");
            RabbitMqPrefix = Options.RabbitMqPrefix ?? Id + ".";
            if (Options.PostgresConnectionString is null)
            {
                _schema = new PostgresSchema();
            }
        }
    }

    public TestClusterOptions Options { get; }

    /// <summary><c>tc-&lt;8 hex&gt;</c>: names the folder and, by default, the RabbitMQ prefix.</summary>
    public string Id { get; }

    /// <summary>The cluster's folder: one working directory per process (with its logs), generated files.</summary>
    public string Directory { get; }

    /// <summary>
    /// The processes' database (their schema first on the search path); null before <see cref="StartAsync()"/>, and in
    /// embedded mode unless <see cref="TestClusterOptions.PostgresConnectionString"/> is given (then every process
    /// stores into it).
    /// </summary>
    public string? ConnectionString { get; private set; }

    public string? RabbitMqUri { get; }

    public string? RabbitMqPrefix { get; }

    /// <summary>Reads membership, leases and accounts (after <see cref="StartAsync()"/>, when there is a <see cref="ConnectionString"/>).</summary>
    public ClusterDatabase Database => _database ?? throw new InvalidOperationException("the cluster has no database (embedded mode, or not started)");

    /// <summary>Records every change of partition ownership from <see cref="StartAsync()"/> on (cluster mode).</summary>
    public LeaseWatcher Leases => _leases ?? throw new InvalidOperationException("the lease watcher runs in cluster mode after StartAsync");

    /// <summary>Every silo started, in order, including stopped and killed ones.</summary>
    public IReadOnlyList<SiloProcess> Silos
    {
        get
        {
            lock (_gate)
            {
                return [.. _silos];
            }
        }
    }

    public IReadOnlyList<GatewayProcess> Gateways
    {
        get
        {
            lock (_gate)
            {
                return [.. _gateways];
            }
        }
    }

    public IReadOnlyList<SiloProcess> RunningSilos => [.. Silos.Where(s => s.IsRunning)];

    public IReadOnlyList<GatewayProcess> RunningGateways => [.. Gateways.Where(g => g.IsRunning)];

    public IEnumerable<ClusterProcess> Processes => Silos.Cast<ClusterProcess>().Concat(Gateways);

    /// <summary>The running silo whose ingest started last (event 2001), or null.</summary>
    public SiloProcess? IngestLeader =>
        RunningSilos.Where(s => s.IngestStartedAt is not null).OrderByDescending(s => s.IngestStartedAt).FirstOrDefault();

    /// <summary>Every partition event of every process, in timestamp order.</summary>
    public IReadOnlyList<PartitionEvent> PartitionEvents => [.. Processes.SelectMany(p => p.PartitionEvents).OrderBy(e => e.Timestamp)];

    /// <summary>Every parsed log entry of every process, in timestamp order.</summary>
    public IReadOnlyList<HostLogEntry> Logs => [.. Processes.SelectMany(p => p.Logs).OrderBy(e => e.Timestamp)];

    /// <summary>Starts a cluster with <paramref name="options"/> (disposed again if the start fails).</summary>
    public static async Task<TestCluster> StartNewAsync(TestClusterOptions? options = null)
    {
        var cluster = new TestCluster(options);
        try
        {
            await cluster.StartAsync().ConfigureAwait(false);
            return cluster;
        }
        catch
        {
            await cluster.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>Prepares the database and starts <see cref="TestClusterOptions.Silos"/> silos, then the gateways, all ready.</summary>
    public async Task StartAsync()
    {
        if (_database is null && (Options.Mode == TestClusterMode.Cluster || Options.PostgresConnectionString is not null))
        {
            ConnectionString = Options.PostgresConnectionString ?? await _schema!.CreateAsync().ConfigureAwait(false);
            // Npgsql's default of 100 connections per data source, times the data sources of every process, passed
            // PostgreSQL's max_connections (300 in test-servers.sh) under a 5,000-account feed: "53300: sorry, too many
            // clients already" failed a gateway's start and stalled the silos' storage.
            ConnectionString = new Npgsql.NpgsqlConnectionStringBuilder(ConnectionString) { MaxPoolSize = Options.MaxPoolSize }.ConnectionString;
            _database = new ClusterDatabase(ConnectionString);
            if (Options.Mode == TestClusterMode.Cluster)
            {
                _leases = new LeaseWatcher(_database).Start();
            }
        }

        await Task.WhenAll(Enumerable.Range(0, Options.Silos).Select(_ => StartSiloAsync())).ConfigureAwait(false);
        await Task.WhenAll(Enumerable.Range(0, Options.Gateways).Select(_ => StartGatewayAsync())).ConfigureAwait(false);
    }

    /// <summary>
    /// Starts one more silo and waits until it is ready (cluster mode: its <c>cluster_members</c> row is active;
    /// embedded: the host logged that it started). A member id is never reused: the cluster refuses a member
    /// declared dead back under the same id, so the default is the next silo-N.
    /// </summary>
    public async Task<SiloProcess> StartSiloAsync(string? memberId = null)
    {
        var id = ReserveMemberId(memberId, "silo", ref _nextSilo);
        var workingDirectory = WorkingDirectoryFor(id);
        var start = StartInfo(ClusterHostKind.Silo, id, workingDirectory, []);
        var silo = new SiloProcess(id, workingDirectory, start);
        lock (_gate)
        {
            _silos.Add(silo);
        }

        await WaitUntilReadyAsync(silo, () => SiloReadyAsync(silo)).ConfigureAwait(false);
        return silo;
    }

    /// <summary>Starts one more gateway on a free loopback port and waits until <c>/healthz</c> answers.</summary>
    public async Task<GatewayProcess> StartGatewayAsync(string? memberId = null)
    {
        var id = ReserveMemberId(memberId, "gateway", ref _nextGateway);
        var workingDirectory = WorkingDirectoryFor(id);
        for (var attempt = 1; ; attempt++)
        {
            var port = FreePort();
            var start = StartInfo(ClusterHostKind.Gateway, id, workingDirectory, ["--urls", string.Create(CultureInfo.InvariantCulture, $"http://127.0.0.1:{port}")]);
            var gateway = new GatewayProcess(id, workingDirectory, start, port);
            lock (_gate)
            {
                _gateways.Add(gateway);
            }

            try
            {
                await WaitUntilReadyAsync(gateway, () => GatewayAnswersAsync(gateway)).ConfigureAwait(false);
                return gateway;
            }
            catch (InvalidOperationException) when (attempt < 3 && gateway.HasExited && gateway.Logs.Any(e => e.Message.Contains("address already in use", StringComparison.OrdinalIgnoreCase)))
            {
                // The free port was taken between the probe and Kestrel's bind: try another.
                lock (_gate)
                {
                    _gateways.Remove(gateway);
                }
            }
        }
    }

    /// <summary>The lease rows now, with the database's clock.</summary>
    public Task<LeaseSnapshot> ReadLeasesAsync() => Database.ReadLeasesAsync();

    public Task<IReadOnlyList<ClusterMemberRow>> ReadMembersAsync() => Database.ReadMembersAsync();

    public Task<IReadOnlyDictionary<string, StoredAccount>> ReadAccountsAsync() => Database.ReadAccountsAsync();

    /// <summary>
    /// Waits until every partition has an unexpired lease whose owner is a running silo with an active membership
    /// row; returns how long that took. A <see cref="TimeoutException"/> with the leases, members and log tails otherwise.
    /// </summary>
    public Task<TimeSpan> WaitForOwnershipAsync(TimeSpan timeout) => WaitForLeasesAsync(timeout, balanced: false);

    /// <summary>
    /// <see cref="WaitForOwnershipAsync"/>, and each running silo owns its fair share (⌊P/n⌋ or ⌈P/n⌉ partitions).
    /// </summary>
    public Task<TimeSpan> WaitForBalancedAsync(TimeSpan? timeout = null) => WaitForLeasesAsync(timeout ?? TimeSpan.FromSeconds(30), balanced: true);

    /// <summary>
    /// Everything recorded so far that shows a partition owned or processed by two silos at once: the lease watcher's
    /// history, the members' Acquired events, Acquired→Lost intervals and ProcessingStarted→ProcessingStopped intervals
    /// (an interval of a killed or exited process ends at its death).
    /// </summary>
    public IReadOnlyList<string> PartitionViolations()
    {
        var events = PartitionEvents;
        var deaths = Processes.Where(p => p.EndOfLife is not null).ToDictionary(p => p.MemberId, p => p.EndOfLife!.Value);
        return
        [
            .. _leases?.Violations() ?? [],
            .. ClusterInvariants.AcquisitionViolations(events),
            .. ClusterInvariants.OverlapViolations(events, PartitionEventKind.Acquired, PartitionEventKind.Lost, deaths),
            .. ClusterInvariants.OverlapViolations(events, PartitionEventKind.ProcessingStarted, PartitionEventKind.ProcessingStopped, deaths),
        ];
    }

    /// <summary>The tail of every process's log, for a failure message.</summary>
    public string DescribeLogs(int linesPerProcess = 30)
    {
        var text = new StringBuilder();
        text.Append(CultureInfo.InvariantCulture, $"test cluster {Id} in {Directory}{(KeepLogs ? "" : $" (set {KeepLogsVariable}=1 to keep it)")}\n");
        foreach (var process in Processes)
        {
            text.Append(process.Tail(linesPerProcess));
        }

        return text.ToString();
    }

    public async ValueTask DisposeAsync()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        await Task.WhenAll(Processes.Select(p => p.DisposeAsync().AsTask())).ConfigureAwait(false);
        if (_leases is not null)
        {
            await _leases.DisposeAsync().ConfigureAwait(false);
        }

        if (_database is not null)
        {
            await _database.DisposeAsync().ConfigureAwait(false);
        }

        if (_schema is not null && !KeepLogs)
        {
            try
            {
                await _schema.DisposeAsync().ConfigureAwait(false);
            }
            catch (Exception e) when (e is Npgsql.NpgsqlException or InvalidOperationException)
            {
                Console.Error.WriteLine($"test cluster {Id}: dropping its schema failed: {e.Message}");
            }
        }

        _http.Dispose();
        if (!KeepLogs)
        {
            try
            {
                System.IO.Directory.Delete(Directory, recursive: true);
            }
            catch (IOException)
            {
            }
        }
    }

    private static bool KeepLogs => !string.IsNullOrEmpty(Environment.GetEnvironmentVariable(KeepLogsVariable));

    private string ReserveMemberId(string? requested, string kind, ref int counter)
    {
        lock (_gate)
        {
            if (requested is not null)
            {
                if (!_memberIds.Add(requested))
                {
                    throw new ArgumentException($"member id '{requested}' was used already in this cluster; a member never comes back under its old id", nameof(requested));
                }

                return requested;
            }

            while (true)
            {
                var id = string.Create(CultureInfo.InvariantCulture, $"{kind}-{++counter}");
                if (_memberIds.Add(id))
                {
                    return id;
                }
            }
        }
    }

    private string WorkingDirectoryFor(string memberId)
    {
        var directory = Path.Combine(Directory, memberId);
        System.IO.Directory.CreateDirectory(directory);
        return directory;
    }

    private ProcessStartInfo StartInfo(ClusterHostKind kind, string memberId, string workingDirectory, IReadOnlyList<string> arguments)
    {
        var assembly = ClusterHostBinaries.AssemblyPath(kind);
        var start = new ProcessStartInfo(ClusterHostBinaries.DotnetHost())
        {
            WorkingDirectory = workingDirectory,
            UseShellExecute = false,
            RedirectStandardInput = true, // a closed stdin, not the test runner's
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            StandardOutputEncoding = Encoding.UTF8,
            StandardErrorEncoding = Encoding.UTF8,
        };
        start.ArgumentList.Add(assembly);
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        foreach (var key in start.Environment.Keys.ToList())
        {
            if (NotInherited.Any(prefix => key.StartsWith(prefix, StringComparison.OrdinalIgnoreCase)))
            {
                start.Environment.Remove(key);
            }
        }

        foreach (var (key, value) in EnvironmentFor(kind, memberId, Path.GetDirectoryName(assembly)!))
        {
            start.Environment[key] = value;
        }

        return start;
    }

    /// <summary>The configuration of one process (the contract of README "Cluster mode"), extras last so they win.</summary>
    public IReadOnlyDictionary<string, string> EnvironmentFor(ClusterHostKind kind, string memberId, string contentRoot)
    {
        var environment = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            [MarkerVariable] = Directory,
            // appsettings.json beside the dll is read as in a deployment (`cd /app && dotnet X.dll`); relative data
            // paths (SQLite) resolve against the working directory, which is the process's own.
            ["DOTNET_CONTENTROOT"] = contentRoot,
            ["DOTNET_ENVIRONMENT"] = "Production",
            ["DOTNET_NOLOGO"] = "1",
            ["Logging__Console__FormatterName"] = "json",
            ["Logging__Console__FormatterOptions__TimestampFormat"] = "yyyy-MM-ddTHH:mm:ss.fffffffZ",
            ["Logging__Console__FormatterOptions__UseUtcTimestamp"] = "true",
            ["Logging__Console__FormatterOptions__IncludeScopes"] = "false",
            ["Logging__LogLevel__Default"] = "Information",
            ["Logging__LogLevel__Microsoft.AspNetCore"] = "Warning",
            ["AccountGrains__Runtime__PartitionCount"] = Options.PartitionCount.ToString(CultureInfo.InvariantCulture),
            ["AccountGrains__Ingest__Source"] = "replay",
            ["AccountGrains__Ingest__Replay__Path"] = ReplayPath(),
            ["AccountGrains__Ingest__Replay__Loop"] = "false",
            ["AccountGrains__Ingest__Replay__UpdatesPerSecond"] = Options.ReplayUpdatesPerSecond.ToString(CultureInfo.InvariantCulture),
        };
        if (Options.Mode == TestClusterMode.Cluster)
        {
            environment["AccountGrains__Cluster__Enabled"] = "true";
            environment["AccountGrains__Cluster__MemberId"] = memberId;
            environment["AccountGrains__Cluster__PartitionCount"] = Options.PartitionCount.ToString(CultureInfo.InvariantCulture);
            foreach (var (key, value) in Options.Timings.ToEnvironment())
            {
                environment[key] = value;
            }

            environment["AccountGrains__Storage__Provider"] = "Postgres";
            environment["AccountGrains__Storage__ConnectionString"] = ConnectionString ?? throw new InvalidOperationException("StartAsync prepares the database first");
            environment["AccountGrains__RabbitMq__Uri"] = RabbitMqUri!;
            environment["AccountGrains__RabbitMq__Prefix"] = RabbitMqPrefix!;
            environment["AccountGrains__RabbitMq__QueueType"] = Options.QueueType;
            environment["AccountGrains__RabbitMq__ConnectionName"] = $"{Id}/{memberId}";
        }
        else if (ConnectionString is not null)
        {
            environment["AccountGrains__Storage__Provider"] = "Postgres";
            environment["AccountGrains__Storage__ConnectionString"] = ConnectionString;
        }
        else
        {
            environment["AccountGrains__Storage__Provider"] = "Sqlite";
            environment["AccountGrains__Storage__SqlitePath"] = "data/accountgrains.db";
        }

        foreach (var extra in Options.Environment.Concat(kind == ClusterHostKind.Silo ? Options.SiloEnvironment : Options.GatewayEnvironment))
        {
            environment[extra.Key] = extra.Value;
        }

        return environment;
    }

    private string ReplayPath()
    {
        if (Options.ReplayFile is { } file)
        {
            return Path.GetFullPath(file);
        }

        var empty = Path.Combine(Directory, "empty.jsonl");
        if (!File.Exists(empty))
        {
            File.WriteAllText(empty, "");
        }

        return empty;
    }

    private async Task WaitUntilReadyAsync(ClusterProcess process, Func<Task<bool>> ready)
    {
        var deadline = DateTime.UtcNow + Options.StartTimeout;
        while (true)
        {
            if (process.HasExited)
            {
                await process.Exited.ConfigureAwait(false);
                throw new InvalidOperationException($"{process.MemberId} exited with {process.ExitCode} before it was ready.\n{process.Tail(60)}");
            }

            if (await ready().ConfigureAwait(false))
            {
                process.ReadyAt = DateTimeOffset.UtcNow;
                return;
            }

            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"{process.MemberId} was not ready within {Options.StartTimeout.TotalSeconds:F0} s.\n{process.Tail(60)}");
            }

            await Task.Delay(100).ConfigureAwait(false);
        }
    }

    private async Task<bool> SiloReadyAsync(SiloProcess silo)
    {
        if (Options.Mode == TestClusterMode.Embedded)
        {
            return silo.Logs.Any(e => e.Category == "Microsoft.Hosting.Lifetime" && e.Message.StartsWith("Application started", StringComparison.Ordinal));
        }

        try
        {
            var members = await Database.ReadMembersAsync().ConfigureAwait(false);
            return members.Any(m => m.MemberId == silo.MemberId && m.Status == "active");
        }
        catch (Npgsql.NpgsqlException)
        {
            return false;
        }
    }

    private async Task<bool> GatewayAnswersAsync(GatewayProcess gateway)
    {
        try
        {
            using var response = await _http.GetAsync(new Uri(gateway.Address, "healthz")).ConfigureAwait(false);
            return true; // any status: the process is up and serving HTTP
        }
        catch (HttpRequestException)
        {
            return false;
        }
        catch (TaskCanceledException)
        {
            return false;
        }
    }

    private async Task<TimeSpan> WaitForLeasesAsync(TimeSpan timeout, bool balanced)
    {
        var started = Stopwatch.GetTimestamp();
        string? why = null;
        while (true)
        {
            try
            {
                why = await WhyNotOwnedAsync(balanced).ConfigureAwait(false);
            }
            catch (Npgsql.NpgsqlException e)
            {
                why = "the database did not answer: " + e.Message;
            }

            if (why is null)
            {
                return Stopwatch.GetElapsedTime(started);
            }

            if (Stopwatch.GetElapsedTime(started) > timeout)
            {
                throw new TimeoutException(
                    $"partitions not {(balanced ? "balanced" : "owned")} by running silos within {timeout.TotalSeconds:F0} s: {why}\n{DescribeLogs(20)}");
            }

            await Task.Delay(50).ConfigureAwait(false);
        }
    }

    private async Task<string?> WhyNotOwnedAsync(bool balanced)
    {
        var running = RunningSilos.Select(s => s.MemberId).ToHashSet(StringComparer.Ordinal);
        if (running.Count == 0)
        {
            return "no silo is running";
        }

        var members = await Database.ReadMembersAsync().ConfigureAwait(false);
        var live = members.Where(m => m.Status == "active" && running.Contains(m.MemberId)).Select(m => m.MemberId).ToHashSet(StringComparer.Ordinal);
        var snapshot = await Database.ReadLeasesAsync().ConfigureAwait(false);
        if (snapshot.Leases.Count != Options.PartitionCount)
        {
            return $"{snapshot.Leases.Count} lease rows, {Options.PartitionCount} partitions";
        }

        var owners = snapshot.LiveOwners;
        var orphans = snapshot.Leases.Where(l => !owners.TryGetValue(l.Partition, out var owner) || !live.Contains(owner)).ToList();
        if (orphans.Count > 0)
        {
            return $"{orphans.Count} partitions without a live owner ({string.Join(", ", orphans.Take(8).Select(l => $"{l.Partition}: {l.Owner ?? "none"}@{l.Epoch}"))}); running silos with an active row: {string.Join(", ", live)}";
        }

        if (balanced)
        {
            var (low, high) = (Options.PartitionCount / running.Count, (Options.PartitionCount + running.Count - 1) / running.Count);
            var counts = running.ToDictionary(id => id, id => owners.Values.Count(o => o == id));
            if (counts.Values.Any(c => c < low || c > high))
            {
                return $"not balanced ({low}..{high} each): {string.Join(", ", counts.Select(c => $"{c.Key} {c.Value}"))}";
            }
        }

        return null;
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
