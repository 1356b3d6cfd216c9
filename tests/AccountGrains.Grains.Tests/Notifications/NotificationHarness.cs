using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using AccountGrains.Grains.Notifications;
using AccountGrains.Runtime.Storage;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace AccountGrains.Grains.Tests.Notifications;

/// <summary>
/// A <see cref="NotificationDispatcher"/> as <c>AddAccountGrainsNotifications</c> registers it, with millisecond
/// backoffs, an in-memory dead-letter store, captured logs and the notification meter's measurements.
/// </summary>
internal sealed class NotificationHarness : IAsyncDisposable
{
    public const string WalletA = "5FHneW46xGXgs5mUiveU4sbTyGBzmstUspZC92UhjJM6";
    public const string WalletB = "3KzR8yLmn5eS2Tq7pBvVxJdYcWfHgAuN1o9iZrE4tXkQ";

    private readonly ServiceProvider _services;
    private readonly MeterListener _listener = new();
    private readonly ConcurrentQueue<(string Instrument, double Value, Dictionary<string, object?> Tags)> _measurements = new();
    private bool _stopped;

    private NotificationHarness(ServiceProvider services, DeadLetterStore store, CapturingLogger log)
    {
        _services = services;
        Store = store;
        Log = log;
        Dispatcher = services.GetRequiredService<NotificationDispatcher>();
        var meter = services.GetRequiredService<NotificationMetrics>().Meter;
        _listener.InstrumentPublished = (instrument, l) =>
        {
            if (ReferenceEquals(instrument.Meter, meter))
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        _listener.SetMeasurementEventCallback<long>((i, v, tags, _) => Record(i, v, tags));
        _listener.SetMeasurementEventCallback<double>((i, v, tags, _) => Record(i, v, tags));
        _listener.Start();
    }

    public NotificationDispatcher Dispatcher { get; }

    public DeadLetterStore Store { get; }

    public CapturingLogger Log { get; }

    public static async Task<NotificationHarness> StartAsync(Action<NotificationOptions>? configure = null, IConfiguration? configuration = null)
    {
        var store = new DeadLetterStore();
        var log = new CapturingLogger();
        var services = new ServiceCollection();
        services.AddLogging(logging => logging.AddProvider(new SingleLoggerProvider(log)).SetMinimumLevel(LogLevel.Debug));
        services.AddSingleton<IWalletStore>(store);
        services.AddAccountGrainsNotifications(configuration ?? new ConfigurationBuilder().Build());
        services.Configure<NotificationOptions>(options =>
        {
            options.InitialBackoff = TimeSpan.FromMilliseconds(5);
            options.MaxBackoff = TimeSpan.FromMilliseconds(40);
            options.Timeout = TimeSpan.FromSeconds(5);
            options.DrainTimeout = TimeSpan.FromSeconds(5);
            configure?.Invoke(options);
        });
        var harness = new NotificationHarness(services.BuildServiceProvider(), store, log);
        await harness.Dispatcher.StartAsync(CancellationToken.None);
        return harness;
    }

    /// <summary>Sum of what <paramref name="instrument"/> measured with <paramref name="tag"/> = <paramref name="value"/> (any, when null).</summary>
    public double Measured(string instrument, string? tag = null, string? value = null) =>
        _measurements.Where(m => m.Instrument == instrument && (tag is null || Equals(m.Tags.GetValueOrDefault(tag), value))).Sum(m => m.Value);

    public int Count(string instrument) => _measurements.Count(m => m.Instrument == instrument);

    public Task WaitForDeadLettersAsync(int count) => Waits.UntilAsync(() => Store.Letters.Count >= count, $"{count} dead letters (have {Store.Letters.Count})");

    public async Task StopAsync()
    {
        if (!_stopped)
        {
            _stopped = true;
            await Dispatcher.StopAsync(CancellationToken.None).OrHang();
        }
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        _listener.Dispose();
        await _services.DisposeAsync();
    }

    private void Record(Instrument instrument, double value, ReadOnlySpan<KeyValuePair<string, object?>> tags) =>
        _measurements.Enqueue((instrument.Name, value, tags.ToArray().ToDictionary(t => t.Key, t => t.Value)));

    private sealed class SingleLoggerProvider(ILogger logger) : ILoggerProvider
    {
        public ILogger CreateLogger(string categoryName) => logger;

        public void Dispose()
        {
        }
    }
}

/// <summary>Wallet activity to notify about.</summary>
internal static class TestActivity
{
    public static WalletActivityEntry Of(string wallet, string signature, string? summary = null, bool succeeded = true, string? error = null,
        IReadOnlyList<WalletTokenChange>? tokenChanges = null, long? blockTime = 1_700_000_000) =>
        new(wallet, signature, 250_000_123, blockTime, succeeded, error, 5000, true, -50_000_005_000, -50_000_000_000,
            tokenChanges ?? [new WalletTokenChange("EPjFWdd5AufqSSqeM2qN1xzybapC8G4wEGGkZwyTDt1v", "spl-token", "-1500000", 6, "-1.5", 0, 1)],
            [new WalletCounterparty(NotificationHarness.WalletB, null, "50000000000")],
            summary ?? $"{wallet[..2]}…{wallet[^4..]} sent 50 SOL to 3K…tXkQ",
            1_000, [], DateTimeOffset.UnixEpoch);
}
