using System.Collections.Concurrent;

using AccountGrains.Grains.Diagnostics;
using AccountGrains.Grains.Ingest;
using AccountGrains.Grains.Ingest.Yellowstone;
using AccountGrains.Runtime.Storage;
using AccountGrains.Testing.FakeYellowstone;

using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using System.Diagnostics.Metrics;

namespace AccountGrains.Grains.Tests.Ingest;

/// <summary>A <see cref="YellowstoneSource"/> reading from a <see cref="FakeYellowstoneServer"/>, its output collected.</summary>
internal sealed class YellowstoneHarness : IAsyncDisposable
{
    private readonly CancellationTokenSource _stop = new();
    private readonly ServiceProvider _services;
    private Task _reading = Task.CompletedTask;

    public YellowstoneHarness(
        FakeYellowstoneServer server,
        Action<YellowstoneOptions>? configure = null,
        IIngestStateStore? store = null,
        IInterestReader? reader = null,
        InterestSet? interest = null,
        Func<CancellationToken, Task>? handOffDurable = null)
    {
        var options = new YellowstoneOptions
        {
            Endpoint = server.Address,
            XToken = "secret-token-123",
            PingInterval = TimeSpan.FromSeconds(30),
            StallTimeout = TimeSpan.FromSeconds(60),
            ReconnectInitialDelay = TimeSpan.FromMilliseconds(20),
            ReconnectMaxDelay = TimeSpan.FromMilliseconds(200),
            RebuildDebounce = TimeSpan.FromMilliseconds(20),
        };
        configure?.Invoke(options);
        _services = new ServiceCollection().AddMetrics().BuildServiceProvider();
        Metrics = new GrainMetrics(_services.GetRequiredService<IMeterFactory>());
        Interest = interest ?? new InterestSet();
        Store = store ?? new InMemoryIngestStateStore();
        Source = new YellowstoneSource(Options.Create(options), Interest, Store, Metrics, Logger.For<YellowstoneSource>(), reader: reader)
        {
            HandOffDurable = handOffDurable,
        };
    }

    public InterestSet Interest { get; }

    public IIngestStateStore Store { get; }

    public YellowstoneSource Source { get; }

    public GrainMetrics Metrics { get; }

    public CapturingLogger Logger { get; } = new();

    public ConcurrentQueue<AccountUpdate> Updates { get; } = new();

    public ConcurrentQueue<SourceRecordError> Rejected { get; } = new();

    /// <summary>How long each update waits in the consumer (a slow grain), to test back-pressure.</summary>
    public TimeSpan ConsumerDelay { get; set; }

    public YellowstoneHarness Start()
    {
        _reading = Task.Run(async () =>
        {
            await foreach (var update in Source.ReadAsync(Rejected.Enqueue, _stop.Token))
            {
                Updates.Enqueue(update);
                if (ConsumerDelay > TimeSpan.Zero)
                {
                    await Task.Delay(ConsumerDelay);
                }
            }
        });
        return this;
    }

    public async Task WaitForUpdatesAsync(int count)
    {
        var deadline = DateTime.UtcNow + Waits.Generous;
        while (Updates.Count < count)
        {
            if (_reading.IsFaulted)
            {
                await _reading;
            }

            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"{Updates.Count} updates arrived, expected {count}");
            }

            await Task.Delay(10);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        try
        {
            await _reading.WaitAsync(Waits.Generous);
        }
        catch (OperationCanceledException)
        {
        }

        _stop.Dispose();
        Metrics.Dispose();
        await _services.DisposeAsync();
    }
}

/// <summary>Deterministic keys for tests.</summary>
internal static class Keys
{
    public static byte[] Bytes(int seed)
    {
        var bytes = new byte[32];
        new Random(seed).NextBytes(bytes);
        return bytes;
    }

    public static string Base58(int seed) => AccountGrains.Solana.Base58.Encode(Bytes(seed));
}
