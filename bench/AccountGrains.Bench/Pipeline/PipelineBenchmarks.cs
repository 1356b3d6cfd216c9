using System.Diagnostics;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using AccountGrains.Gateway.Hosting;
using AccountGrains.Runtime.Storage;
using AccountGrains.Solana;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace AccountGrains.Bench.Pipeline;

/// <summary>
/// End-to-end throughput of the embedded mode, each scenario run several rounds on fresh state; the median is
/// reported. Everything is real: grains, write-behind to a SQLite file, Kestrel and WebSocket clients on loopback.
/// </summary>
internal static class PipelineBenchmarks
{
    public static async Task<IReadOnlyList<Result>> RunAsync(int rounds, int updates, int accounts, int sockets)
    {
        var results = new List<Result>
        {
            await MeasureAsync($"storage: {updates:N0} account states upserted into SQLite in batches of 2,000", rounds, updates, () => StorageRoundAsync(updates)),
            await MeasureAsync($"apply: {updates:N0} one-way updates over {accounts:N0} accounts into grains + SQLite", rounds, updates, () => ApplyRoundAsync(updates, accounts)),
            await MeasureAsync($"replay: {updates:N0}-line JSONL file through the ingest into grains + SQLite", rounds, updates, () => ReplayRoundAsync(updates, accounts)),
            await MeasureAsync($"fan-out: {updates / 10:N0} updates over 100 accounts to {sockets} sockets subscribed to all", rounds, updates / 10 * sockets, () => FanOutRoundAsync(updates / 10, 100, sockets)),
        };
        return results;
    }

    private static async Task<Result> MeasureAsync(string name, int rounds, int itemsPerRound, Func<Task<TimeSpan>> round)
    {
        await round(); // warm-up: JIT, pools
        var times = new List<TimeSpan>();
        for (var i = 0; i < rounds; i++)
        {
            times.Add(await round());
        }

        times.Sort();
        return new Result(name, itemsPerRound, times[times.Count / 2], times[0], times[^1]);
    }

    private static async Task<TimeSpan> StorageRoundAsync(int states)
    {
        var directory = Directory.CreateTempSubdirectory("accountgrains-bench-");
        try
        {
            var store = new Runtime.Storage.Sqlite.SqliteAccountStore(Path.Combine(directory.FullName, "state.db"), TimeProvider.System);
            await store.MigrateAsync(CancellationToken.None);
            var random = new Random(14);
            var decoded = new DecodedAccount("spl-token", "token_account", Encoding.UTF8.GetBytes("{\"amount\":\"1\"}"), null);
            var batches = Enumerable.Range(0, states).Select(i => new AccountState(Samples.NewPubkey(random), WellKnownPrograms.SplToken.ToString(), 2_039_280,
                    Samples.TokenAccount(random, (ulong)i), false, ulong.MaxValue, 312_000_000, (ulong)i, null, decoded, DateTimeOffset.UtcNow))
                .Chunk(2000).ToList();
            var started = Stopwatch.GetTimestamp();
            foreach (var batch in batches)
            {
                await store.WriteAsync(batch, CancellationToken.None);
            }

            return Stopwatch.GetElapsedTime(started);
        }
        finally
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            directory.Delete(recursive: true);
        }
    }

    private static async Task<TimeSpan> ApplyRoundAsync(int updates, int accounts)
    {
        await using var silo = await Silo.StartAsync(replayPath: null);
        var work = Workload(updates, accounts, seed: 11);
        var grains = silo.Services.GetRequiredService<IGrainFactory>();
        var started = Stopwatch.GetTimestamp();
        foreach (var update in work.Updates)
        {
            await grains.Get<IAccountGrain>(update.Pubkey).ApplyAsync(update);
        }

        await silo.WaitUntilAppliedAsync(work);
        return Stopwatch.GetElapsedTime(started);
    }

    private static async Task<TimeSpan> ReplayRoundAsync(int updates, int accounts)
    {
        var work = Workload(updates, accounts, seed: 12);
        var path = Path.Combine(Path.GetTempPath(), $"accountgrains-bench-{Guid.NewGuid():N}.jsonl");
        await File.WriteAllLinesAsync(path, work.Updates.Select(u => Samples.ReplayLine(u.Pubkey, u.Owner, u.Data, u.Slot, u.WriteVersion)));
        try
        {
            await using var silo = await Silo.StartAsync(replayPath: path);
            var ingest = silo.Services.GetRequiredService<IGrainFactory>().Get<IGeyserIngestGrain>(IGeyserIngestGrain.DefaultKey);
            var started = Stopwatch.GetTimestamp();
            await ingest.StartAsync();
            while (!(await ingest.GetStatusAsync()).Completed)
            {
                await Task.Delay(1);
            }

            await silo.WaitUntilAppliedAsync(work);
            return Stopwatch.GetElapsedTime(started);
        }
        finally
        {
            File.Delete(path);
        }
    }

    private static async Task<TimeSpan> FanOutRoundAsync(int updates, int accounts, int socketCount)
    {
        var directory = Directory.CreateTempSubdirectory("accountgrains-bench-");
        var empty = Path.Combine(directory.FullName, "empty.jsonl");
        await File.WriteAllTextAsync(empty, string.Empty);
        var app = GatewayApp.Create(["--urls", "http://127.0.0.1:0"], builder => builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["AccountGrains:Ingest:Replay:Path"] = empty,
            ["AccountGrains:Storage:SqlitePath"] = Path.Combine(directory.FullName, "state.db"),
            ["Logging:LogLevel:Default"] = "Warning",
        }));
        await app.StartAsync();
        try
        {
            var work = Workload(updates, accounts, seed: 13);
            var address = new Uri($"ws://{new Uri(app.Addresses().First()).Authority}/ws");
            var clients = new List<Client>();
            for (var i = 0; i < socketCount; i++)
            {
                clients.Add(await Client.ConnectAsync(address, work.Final));
            }

            var grains = app.Services.GetRequiredService<IGrainFactory>();
            var started = Stopwatch.GetTimestamp();
            foreach (var update in work.Updates)
            {
                await grains.Get<IAccountGrain>(update.Pubkey).ApplyAsync(update);
            }

            await Task.WhenAll(clients.Select(c => c.AllFinalSeen)).WaitAsync(TimeSpan.FromMinutes(2));
            var elapsed = Stopwatch.GetElapsedTime(started);
            foreach (var client in clients)
            {
                await client.DisposeAsync();
            }

            return elapsed;
        }
        finally
        {
            await app.StopAsync();
            await app.DisposeAsync();
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            directory.Delete(recursive: true);
        }
    }

    internal static Work Workload(int updates, int accounts, int seed)
    {
        var random = new Random(seed);
        var keys = Enumerable.Range(0, accounts).Select(_ => Samples.NewPubkey(random)).ToArray();
        var owner = WellKnownPrograms.SplToken.ToString();
        var list = new List<AccountUpdate>(updates);
        var final = new Dictionary<string, StreamToken>();
        for (var i = 0; i < updates; i++)
        {
            var key = keys[random.Next(keys.Length)];
            var update = new AccountUpdate(key, owner, 2_039_280, Samples.TokenAccount(random, (ulong)i), false, ulong.MaxValue,
                Slot: 312_000_000UL + (ulong)(i / 50), WriteVersion: (ulong)i + 1, null, DateTimeOffset.UtcNow);
            list.Add(update);
            final[key] = update.Token;
        }

        return new Work(list, final);
    }

    internal sealed record Work(List<AccountUpdate> Updates, Dictionary<string, StreamToken> Final);

    internal sealed record Result(string Scenario, int ItemsPerRound, TimeSpan Median, TimeSpan Min, TimeSpan Max)
    {
        public double PerSecond => ItemsPerRound / Median.TotalSeconds;
    }

    private sealed class Silo : IAsyncDisposable
    {
        private readonly IHost _host;
        private readonly DirectoryInfo _directory;

        private Silo(IHost host, DirectoryInfo directory)
        {
            _host = host;
            _directory = directory;
        }

        public IServiceProvider Services => _host.Services;

        public static async Task<Silo> StartAsync(string? replayPath)
        {
            var directory = Directory.CreateTempSubdirectory("accountgrains-bench-");
            var host = await EmbeddedSilo.StartAsync(new Dictionary<string, string?>
            {
                ["AccountGrains:Storage:SqlitePath"] = Path.Combine(directory.FullName, "state.db"),
                ["AccountGrains:Ingest:Replay:Path"] = replayPath ?? "unused.jsonl",
                ["Logging:LogLevel:Default"] = "Warning",
            });
            return new Silo(host, directory);
        }

        /// <summary>Every account reached its final token (grain turns ran) and the write-behind stored it.</summary>
        public async Task WaitUntilAppliedAsync(Work work)
        {
            var grains = Services.GetRequiredService<IGrainFactory>();
            foreach (var (key, token) in work.Final)
            {
                while ((await grains.Get<IAccountGrain>(key).GetSnapshotAsync()).State?.Token != token)
                {
                    await Task.Delay(1);
                }
            }

            await Services.GetRequiredService<AccountWriteBehind>().FlushAsync();
        }

        public async ValueTask DisposeAsync()
        {
            await _host.StopAsync();
            _host.Dispose();
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            _directory.Delete(recursive: true);
        }
    }

    /// <summary>A WebSocket client subscribed to every account, done when it has seen each account's final token.</summary>
    private sealed class Client : IAsyncDisposable
    {
        private readonly ClientWebSocket _socket;
        private readonly Dictionary<string, StreamToken> _final;
        private readonly TaskCompletionSource _done = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private readonly Task _reader;
        private int _remaining;

        private Client(ClientWebSocket socket, Dictionary<string, StreamToken> final)
        {
            _socket = socket;
            _final = final;
            _remaining = final.Count;
            _reader = Task.Run(ReadAsync);
        }

        public Task AllFinalSeen => _done.Task;

        public static async Task<Client> ConnectAsync(Uri address, Dictionary<string, StreamToken> final)
        {
            var socket = new ClientWebSocket();
            await socket.ConnectAsync(address, CancellationToken.None);
            foreach (var key in final.Keys)
            {
                await socket.SendAsync(Encoding.UTF8.GetBytes($$"""{"action":"subscribe","pubkey":"{{key}}"}"""), WebSocketMessageType.Text, true, CancellationToken.None);
            }

            return new Client(socket, final);
        }

        public async ValueTask DisposeAsync()
        {
            await _socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, "done", CancellationToken.None);
            await _reader;
            _socket.Dispose();
        }

        private async Task ReadAsync()
        {
            var buffer = new byte[64 * 1024];
            var seen = new HashSet<string>();
            try
            {
                while (true)
                {
                    var result = await _socket.ReceiveAsync(buffer, CancellationToken.None);
                    if (result.MessageType == WebSocketMessageType.Close)
                    {
                        return;
                    }

                    using var document = JsonDocument.Parse(buffer.AsMemory(0, result.Count));
                    var account = document.RootElement.GetProperty("account");
                    if (account.ValueKind != JsonValueKind.Object)
                    {
                        continue;
                    }

                    var key = account.GetProperty("pubkey").GetString()!;
                    var token = new StreamToken(account.GetProperty("slot").GetUInt64(), account.GetProperty("write_version").GetUInt64());
                    if (token == _final[key] && seen.Add(key) && --_remaining == 0)
                    {
                        _done.TrySetResult();
                    }
                }
            }
            catch (WebSocketException)
            {
            }
        }
    }
}
