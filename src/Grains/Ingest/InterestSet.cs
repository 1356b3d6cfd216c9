using System.Collections.Immutable;

namespace AccountGrains.Grains.Ingest;

/// <summary>
/// The live interest set, shared by the ingest grain (which changes it) and the source (which turns it into the
/// upstream subscription). Readers take an immutable snapshot; <see cref="WaitForChangeAsync"/> wakes them on change.
/// </summary>
public sealed class InterestSet
{
    private readonly Lock _gate = new();
    private ImmutableSortedDictionary<string, Interest> _entries = ImmutableSortedDictionary.Create<string, Interest>(StringComparer.Ordinal);
    private readonly ChangeSignal _changes = new();

    /// <summary>Bumped on every change.</summary>
    public long Version => _changes.Version;

    public int Count => Volatile.Read(ref _entries).Count;

    /// <summary>The entries ordered by id.</summary>
    public IReadOnlyList<Interest> Snapshot() => [.. Volatile.Read(ref _entries).Values];

    /// <summary>Adds <paramref name="interest"/>; false when an equal one was there.</summary>
    public bool Add(Interest interest)
    {
        ArgumentNullException.ThrowIfNull(interest);
        lock (_gate)
        {
            if (_entries.ContainsKey(interest.Id))
            {
                return false;
            }

            _entries = _entries.Add(interest.Id, interest);
            _changes.Signal();
            return true;
        }
    }

    public bool Remove(string interestId)
    {
        lock (_gate)
        {
            if (!_entries.ContainsKey(interestId))
            {
                return false;
            }

            _entries = _entries.Remove(interestId);
            _changes.Signal();
            return true;
        }
    }

    public bool Contains(string interestId) => Volatile.Read(ref _entries).ContainsKey(interestId);

    /// <summary>Completes once the set has changed after <paramref name="seenVersion"/> (at once if it already has).</summary>
    public Task WaitForChangeAsync(long seenVersion, CancellationToken cancellationToken) =>
        _changes.WaitForChangeAsync(seenVersion, cancellationToken);
}
