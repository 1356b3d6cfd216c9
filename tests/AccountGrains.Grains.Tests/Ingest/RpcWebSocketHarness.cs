using System.Collections.Concurrent;
using System.Diagnostics.Metrics;

using AccountGrains.Grains.Diagnostics;
using AccountGrains.Grains.Ingest;
using AccountGrains.Grains.Ingest.Rpc;
using AccountGrains.Testing.FakeRpc;

using Microsoft.Extensions.DependencyInjection;

namespace AccountGrains.Grains.Tests.Ingest;

/// <summary>A <see cref="RpcWebSocketSource"/> reading from a <see cref="FakeSolanaRpcServer"/>, its output collected.</summary>
internal sealed class RpcWebSocketHarness : IAsyncDisposable
{
    private readonly CancellationTokenSource _stop = new();
    private readonly ServiceProvider _services;
    private readonly MeterListener _listener = new();
    private Task _reading = Task.CompletedTask;

    public RpcWebSocketHarness(FakeSolanaRpcServer server, Action<RpcSourceOptions>? configure = null, IInterestReader? reader = null)
    {
        Options = new RpcSourceOptions
        {
            WebSocketUrl = server.WebSocketAddress,
            ReconnectInitialDelay = TimeSpan.FromMilliseconds(20),
            ReconnectMaxDelay = TimeSpan.FromMilliseconds(200),
            RebuildDebounce = TimeSpan.FromMilliseconds(20),
        };
        configure?.Invoke(Options);
        _services = new ServiceCollection().AddMetrics().BuildServiceProvider();
        Metrics = new GrainMetrics(_services.GetRequiredService<IMeterFactory>());
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (ReferenceEquals(instrument.Meter, Metrics.Meter))
            {
                listener.EnableMeasurementEvents(instrument);
            }
        };
        _listener.SetMeasurementEventCallback<long>((instrument, value, tags, _) =>
            Measurements.Enqueue((instrument.Name, value, tags.ToArray().ToDictionary(t => t.Key, t => t.Value))));
        _listener.Start();
        Source = new RpcWebSocketSource(Microsoft.Extensions.Options.Options.Create(Options), Interest, Metrics, Logger.For<RpcWebSocketSource>(), reader: reader);
    }

    public RpcSourceOptions Options { get; }

    public InterestSet Interest { get; } = new();

    public RpcWebSocketSource Source { get; }

    public GrainMetrics Metrics { get; }

    public CapturingLogger Logger { get; } = new();

    public ConcurrentQueue<AccountUpdate> Updates { get; } = new();

    public ConcurrentQueue<SourceRecordError> Rejected { get; } = new();

    /// <summary>Every counter increment on the grains' meter, with its tags.</summary>
    public ConcurrentQueue<(string Instrument, long Value, Dictionary<string, object?> Tags)> Measurements { get; } = new();

    /// <summary>The sum of <paramref name="instrument"/> increments tagged source=rpc (and kind, when given).</summary>
    public long Counted(string instrument, string? kind = null) =>
        Measurements.Where(m => m.Instrument == instrument && Equals(m.Tags.GetValueOrDefault("source"), "rpc")
            && (kind is null || Equals(m.Tags.GetValueOrDefault("kind"), kind))).Sum(m => m.Value);

    public RpcWebSocketHarness Start()
    {
        _reading = Task.Run(async () =>
        {
            await foreach (var update in Source.ReadAsync(Rejected.Enqueue, _stop.Token))
            {
                Updates.Enqueue(update);
            }
        });
        return this;
    }

    /// <summary>Waits until every subscription is in <paramref name="state"/> (and there are <paramref name="count"/>).</summary>
    public Task WaitForSubscriptionsAsync(int count, string state = SubscriptionStates.Active) =>
        WaitUntilAsync(() =>
        {
            var all = Source.GetSubscriptions();
            return all.Count == count && all.All(s => s.State == state);
        }, $"{count} subscriptions {state}");

    public async Task WaitForUpdatesAsync(int count)
    {
        await WaitUntilAsync(() => Updates.Count >= count, $"{count} updates");
    }

    public async Task WaitUntilAsync(Func<bool> condition, string what)
    {
        var deadline = DateTime.UtcNow + Waits.Generous;
        while (!condition())
        {
            if (_reading.IsFaulted)
            {
                await _reading;
            }

            if (DateTime.UtcNow > deadline)
            {
                var states = string.Join(", ", Source.GetSubscriptions().Select(s => $"{s.InterestId}/{s.Kind}={s.State}@{s.Connection}"));
                throw new TimeoutException($"waited for {what}; {Updates.Count} updates, subscriptions: {states}");
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
        _listener.Dispose();
        Metrics.Dispose();
        await _services.DisposeAsync();
    }
}
