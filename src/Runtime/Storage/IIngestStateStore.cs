namespace AccountGrains.Runtime.Storage;

/// <summary>
/// What the ingest keeps across restarts: the interest set, and per source the last slot it had completely (so a
/// restarted ingest asks the upstream to replay from there).
/// </summary>
public interface IIngestStateStore
{
    Task<IReadOnlyList<Interest>> ReadInterestAsync(CancellationToken cancellationToken);

    /// <summary>Stores <paramref name="interest"/>; storing it again changes nothing.</summary>
    Task SaveInterestAsync(Interest interest, CancellationToken cancellationToken);

    /// <summary>Deletes the interest with <paramref name="interestId"/>; false when there was none.</summary>
    Task<bool> DeleteInterestAsync(string interestId, CancellationToken cancellationToken);

    /// <summary>The checkpointed slot of <paramref name="source"/>, or null when it has none.</summary>
    Task<ulong?> ReadCheckpointAsync(string source, CancellationToken cancellationToken);

    Task SaveCheckpointAsync(string source, ulong slot, CancellationToken cancellationToken);
}

/// <summary>Keeps the ingest state in memory, for stores that cannot hold it (test doubles): lost on restart.</summary>
public sealed class InMemoryIngestStateStore : IIngestStateStore
{
    private readonly Lock _gate = new();
    private readonly Dictionary<string, Interest> _interest = new(StringComparer.Ordinal);
    private readonly Dictionary<string, ulong> _checkpoints = new(StringComparer.Ordinal);

    public Task<IReadOnlyList<Interest>> ReadInterestAsync(CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            return Task.FromResult<IReadOnlyList<Interest>>([.. _interest.Values]);
        }
    }

    public Task SaveInterestAsync(Interest interest, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(interest);
        lock (_gate)
        {
            _interest[interest.Id] = interest;
        }

        return Task.CompletedTask;
    }

    public Task<bool> DeleteInterestAsync(string interestId, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            return Task.FromResult(_interest.Remove(interestId));
        }
    }

    public Task<ulong?> ReadCheckpointAsync(string source, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            return Task.FromResult(_checkpoints.TryGetValue(source, out var slot) ? slot : (ulong?)null);
        }
    }

    public Task SaveCheckpointAsync(string source, ulong slot, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            _checkpoints[source] = slot;
        }

        return Task.CompletedTask;
    }
}
