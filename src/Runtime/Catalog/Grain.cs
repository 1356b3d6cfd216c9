namespace AccountGrains.Runtime.Catalog;

/// <summary>
/// Base class of grain implementations. Grain code runs one turn at a time and needs no locks. Constructor
/// parameters come from dependency injection; <see cref="Id"/> is set before <see cref="OnActivateAsync"/>.
/// </summary>
public abstract class Grain
{
    private GrainId? _id;

    public GrainId Id => _id ?? throw new InvalidOperationException("the grain is not activated yet");

    /// <summary>The grain's key, e.g. the account pubkey.</summary>
    public string Key => Id.Key;

    /// <summary>A grain that returns <c>true</c> is never collected when idle (the ingest singleton).</summary>
    protected internal virtual bool KeepAlive => false;

    internal void Bind(GrainId id) => _id = id;

    /// <summary>The first turn of an activation: load state. A failure fails the messages that were waiting.</summary>
    public virtual Task OnActivateAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>The last turn: make sure what must be stored is stored.</summary>
    public virtual Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken) => Task.CompletedTask;
}

/// <summary>Why an activation ends.</summary>
public enum DeactivationReason
{
    Idle,
    Shutdown,
    ActivationFailed,

    /// <summary>This silo no longer owns the grain's partition (cluster mode).</summary>
    PartitionReleased,
}
