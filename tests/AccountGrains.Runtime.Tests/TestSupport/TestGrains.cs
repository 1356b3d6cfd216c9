using System.Collections.Concurrent;
using AccountGrains.Runtime.Catalog;

namespace AccountGrains.Runtime.Tests.TestSupport;

/// <summary>A grain whose turns report to <see cref="TurnProbe"/>: overlap, parallelism, order, exceptions, blocking.</summary>
[GrainType("test-turns")]
public interface ITurnGrain : IGrain
{
    /// <summary>A turn that spans awaits and checks it is alone inside its grain.</summary>
    Task EnterAsync();

    /// <summary>Completes only once two turns (of any turn grains) are inside this method at the same time.</summary>
    Task MeetAsync();

    [OneWay]
    Task AppendAsync(int value);

    Task<int[]> GetAppendedAsync();

    Task ThrowAsync(string message);

    /// <summary>Throws before it returns a task at all.</summary>
    Task ThrowBeforeReturningTaskAsync(string message);

    [OneWay]
    Task ThrowOneWayAsync(string message);

    /// <summary>Signals <see cref="TurnProbe.Entered"/>, then waits for <see cref="TurnProbe.Gate"/>.</summary>
    [OneWay]
    Task BlockAsync();

    [OneWay]
    Task TickAsync();

    /// <summary>Turns this activation ran, this one included.</summary>
    Task<int> GetTurnCountAsync();
}

public sealed class TurnProbe
{
    private int _inside;
    private int _maxInside;
    private int _entered;
    private int _overlapsSeen;
    private int _atMeeting;

    public int MaxInside => Volatile.Read(ref _maxInside);

    public int EnteredCount => Volatile.Read(ref _entered);

    public int OverlapsSeen => Volatile.Read(ref _overlapsSeen);

    public TaskCompletionSource BothAtMeeting { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public TaskCompletionSource Entered { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public TaskCompletionSource Gate { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public ConcurrentQueue<(string Key, DeactivationReason Reason, int Turns)> Deactivations { get; } = new();

    public void Enter()
    {
        Interlocked.Increment(ref _entered);
        var inside = Interlocked.Increment(ref _inside);
        int max;
        while (inside > (max = Volatile.Read(ref _maxInside)) && Interlocked.CompareExchange(ref _maxInside, inside, max) != max)
        {
        }
    }

    public void Leave()
    {
        if (Volatile.Read(ref _inside) != 1)
        {
            Interlocked.Increment(ref _overlapsSeen);
        }

        Interlocked.Decrement(ref _inside);
    }

    public Task MeetAsync()
    {
        if (Interlocked.Increment(ref _atMeeting) == 2)
        {
            BothAtMeeting.TrySetResult();
        }

        return BothAtMeeting.Task.WaitAsync(TimeSpan.FromSeconds(10));
    }
}

public sealed class TurnGrain(TurnProbe probe) : Grain, ITurnGrain
{
    private readonly List<int> _appended = [];
    private int _turns;

    public async Task EnterAsync()
    {
        _turns++;
        probe.Enter();
        await Task.Yield();
        await Task.Delay(1);
        probe.Leave();
    }

    public async Task MeetAsync()
    {
        _turns++;
        await probe.MeetAsync();
    }

    public Task AppendAsync(int value)
    {
        _turns++;
        _appended.Add(value);
        return Task.CompletedTask;
    }

    public Task<int[]> GetAppendedAsync()
    {
        _turns++;
        return Task.FromResult(_appended.ToArray());
    }

    public async Task ThrowAsync(string message)
    {
        _turns++;
        await Task.Yield();
        throw new InvalidOperationException(message);
    }

    public Task ThrowBeforeReturningTaskAsync(string message)
    {
        _turns++;
        throw new ArgumentException(message, nameof(message));
    }

    public async Task ThrowOneWayAsync(string message)
    {
        _turns++;
        await Task.Yield();
        throw new InvalidOperationException(message);
    }

    public async Task BlockAsync()
    {
        _turns++;
        probe.Entered.TrySetResult();
        await probe.Gate.Task;
    }

    public Task TickAsync()
    {
        _turns++;
        return Task.CompletedTask;
    }

    public Task<int> GetTurnCountAsync() => Task.FromResult(++_turns);

    public override Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        probe.Deactivations.Enqueue((Key, reason, _turns));
        return Task.CompletedTask;
    }
}

/// <summary>A grain with state: a count it loads from <see cref="CounterStore"/> on activation and saves on deactivation.</summary>
[GrainType("test-counter")]
public interface ICounterGrain : IGrain
{
    [OneWay]
    Task IncrementAsync();

    Task<int> IncrementAndGetAsync();

    Task<int> GetAsync();

    Task<Guid> GetInstanceIdAsync();
}

/// <summary>The counters' "database", and what their activations did.</summary>
public sealed class CounterStore
{
    private readonly ConcurrentDictionary<string, TaskCompletionSource> _deactivated = new(StringComparer.Ordinal);
    private int _activations;
    private int _deactivations;

    public ConcurrentDictionary<string, int> Saved { get; } = new(StringComparer.Ordinal);

    /// <summary>Keys whose activation fails, with the failure message.</summary>
    public ConcurrentDictionary<string, string> ActivationFaults { get; } = new(StringComparer.Ordinal);

    public ConcurrentQueue<(string Key, DeactivationReason Reason)> DeactivationLog { get; } = new();

    public int Activations => Volatile.Read(ref _activations);

    public int Deactivations => Volatile.Read(ref _deactivations);

    /// <summary>Completes when <paramref name="key"/> has deactivated at least once.</summary>
    public Task DeactivatedAsync(string key) => Signal(key).Task;

    internal void Activated() => Interlocked.Increment(ref _activations);

    internal void Deactivated(string key, DeactivationReason reason)
    {
        Interlocked.Increment(ref _deactivations);
        DeactivationLog.Enqueue((key, reason));
        Signal(key).TrySetResult();
    }

    private TaskCompletionSource Signal(string key) =>
        _deactivated.GetOrAdd(key, static _ => new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously));
}

public sealed class CounterGrain(CounterStore store) : Grain, ICounterGrain
{
    private readonly Guid _instanceId = Guid.NewGuid();
    private int _count;

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        await Task.Yield();
        if (store.ActivationFaults.TryGetValue(Key, out var fault))
        {
            throw fault == "cancel" ? new OperationCanceledException("activation cancelled") : new InvalidOperationException(fault);
        }

        _count = store.Saved.GetValueOrDefault(Key);
        store.Activated();
    }

    public override async Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        await Task.Yield();
        store.Saved[Key] = _count;
        store.Deactivated(Key, reason);
    }

    public Task IncrementAsync()
    {
        _count++;
        return Task.CompletedTask;
    }

    public Task<int> IncrementAndGetAsync() => Task.FromResult(++_count);

    public Task<int> GetAsync() => Task.FromResult(_count);

    public Task<Guid> GetInstanceIdAsync() => Task.FromResult(_instanceId);
}

/// <summary>A grain that is never collected when idle (like the ingest singleton).</summary>
[GrainType("test-pinned")]
public interface IPinnedGrain : IGrain
{
    Task<Guid> GetInstanceIdAsync();
}

public sealed class PinnedGrain(TurnProbe probe) : Grain, IPinnedGrain
{
    private readonly Guid _instanceId = Guid.NewGuid();

    protected internal override bool KeepAlive => true;

    public Task<Guid> GetInstanceIdAsync() => Task.FromResult(_instanceId);

    public override Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        probe.Deactivations.Enqueue((Key, reason, 0));
        return Task.CompletedTask;
    }
}
