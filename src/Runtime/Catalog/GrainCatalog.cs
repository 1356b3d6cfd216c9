using System.Collections.Concurrent;
using AccountGrains.Runtime.Configuration;
using AccountGrains.Runtime.Diagnostics;
using AccountGrains.Runtime.Messaging;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace AccountGrains.Runtime.Catalog;

/// <summary>
/// The activations of this silo: creates one per grain on its first message, delivers messages to it, and
/// collects activations that have been idle past <see cref="GrainRuntimeOptions.IdleTimeout"/>.
/// </summary>
public sealed class GrainCatalog : IAsyncDisposable
{
    private readonly ConcurrentDictionary<GrainId, GrainActivation> _activations = new();
    private readonly GrainTypeRegistry _types;
    private readonly IServiceProvider _services;
    private readonly GrainRuntimeOptions _options;
    private readonly RuntimeMetrics _metrics;
    private readonly ILogger<GrainCatalog> _logger;
    private readonly CancellationTokenSource _shutdown = new();
    private readonly Lock _creating = new();
    private volatile bool _stopping;

    public GrainCatalog(
        GrainTypeRegistry types,
        IServiceProvider services,
        IOptions<GrainRuntimeOptions> options,
        RuntimeMetrics metrics,
        ILogger<GrainCatalog> logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        _types = types;
        _services = services;
        _options = options.Value;
        _metrics = metrics;
        _logger = logger;
        metrics.ObserveActivations(() => _activations.Count);
    }

    public int ActivationCount => _activations.Count;

    /// <summary>Delivers a message to its target's activation, activating the grain when needed.</summary>
    public async ValueTask DeliverAsync(GrainMessage message, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(message);
        while (true)
        {
            var activation = GetOrCreate(message.Target);
            var result = await activation.EnqueueAsync(message, cancellationToken).ConfigureAwait(false);
            switch (result)
            {
                case EnqueueResult.Accepted:
                    return;
                case EnqueueResult.Failed:
                    var failure = new GrainActivationException(message.Target, activation.ActivationFailure ?? new OperationCanceledException("the activation closed"));
                    message.Response?.SetException(failure);
                    message.MarkFailed(failure);
                    if (message.Response is null)
                    {
                        RuntimeLog.OneWayCallFailed(_logger, message.Target, message.Method.Name, failure);
                    }

                    return;
                default:
                    // Deactivating: wait until it has left the catalog (its state is stored), then activate anew.
                    await activation.Finished.WaitAsync(cancellationToken).ConfigureAwait(false);
                    break;
            }
        }
    }

    /// <summary>Deactivates activations idle for longer than <paramref name="idleFor"/>. Returns how many.</summary>
    public int CollectIdle(TimeSpan idleFor)
    {
        var now = Environment.TickCount64;
        var collected = 0;
        foreach (var activation in _activations.Values)
        {
            if (now - activation.LastTurnTicks >= idleFor.TotalMilliseconds && activation.TryDeactivate(DeactivationReason.Idle))
            {
                collected++;
            }
        }

        if (collected > 0)
        {
            _metrics.ActivationsCollected(collected);
            RuntimeLog.CollectedIdle(_logger, collected, _activations.Count);
        }

        return collected;
    }

    /// <summary>Runs idle collection every <see cref="GrainRuntimeOptions.CollectionInterval"/> until cancelled.</summary>
    public async Task RunCollectorAsync(CancellationToken cancellationToken)
    {
        using var timer = new PeriodicTimer(_options.CollectionInterval);
        try
        {
            while (await timer.WaitForNextTickAsync(cancellationToken).ConfigureAwait(false))
            {
                CollectIdle(_options.IdleTimeout);
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
    }

    /// <summary>Stops accepting new activations and deactivates all, letting accepted messages run first.</summary>
    public async Task DeactivateAllAsync(CancellationToken cancellationToken)
    {
        lock (_creating)
        {
            _stopping = true;
        }

        // No activation is created after _stopping is set (creation checks it under the same lock), so one pass
        // over what exists now covers everything.
        var all = _activations.Values.ToArray();
        foreach (var activation in all)
        {
            activation.BeginShutdown();
        }

        await Task.WhenAll(all.Select(a => a.Finished)).WaitAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Deactivates every activation <paramref name="match"/> selects (the grains of a partition this silo no longer
    /// owns), keep-alive grains included: what they accepted runs first, then each deactivates and leaves. A message
    /// that arrives later activates the grain anew. Returns how many were deactivated.
    /// </summary>
    public async Task<int> DeactivateWhereAsync(Func<GrainId, bool> match, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(match);
        var selected = _activations.Values.Where(a => match(a.Id)).ToArray();
        foreach (var activation in selected)
        {
            activation.BeginShutdown(DeactivationReason.PartitionReleased);
        }

        await Task.WhenAll(selected.Select(a => a.Finished)).WaitAsync(cancellationToken).ConfigureAwait(false);
        return selected.Length;
    }

    public async ValueTask DisposeAsync()
    {
        if (!_stopping)
        {
            await DeactivateAllAsync(CancellationToken.None).ConfigureAwait(false);
        }

        await _shutdown.CancelAsync().ConfigureAwait(false);
        _shutdown.Dispose();
    }

    private GrainActivation GetOrCreate(GrainId id)
    {
        if (_activations.TryGetValue(id, out var existing))
        {
            return existing;
        }

        // Creation is the rare path: a lock keeps it to one grain instance per activation and orders it against
        // shutdown.
        GrainActivation created;
        lock (_creating)
        {
            if (_activations.TryGetValue(id, out existing))
            {
                return existing;
            }

            if (_stopping)
            {
                throw new OperationCanceledException($"the silo is shutting down; {id} is not activated");
            }

            created = new GrainActivation(id, _types.Create(_services, id), _options.MailboxCapacity, _logger);
            _activations[id] = created;
        }

        _metrics.ActivationCreated();
        _ = Task.Run(() => created.RunAsync(Remove, _shutdown.Token));
        return created;
    }

    private void Remove(GrainActivation activation) =>
        _activations.TryRemove(new KeyValuePair<GrainId, GrainActivation>(activation.Id, activation));
}
