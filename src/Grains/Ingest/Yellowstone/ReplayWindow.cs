namespace AccountGrains.Grains.Ingest.Yellowstone;

/// <summary>
/// Where a lost stream resumes and what it must not deliver twice. Remembers, for the recent slots, which account
/// writes arrived (by write version and pubkey prefix), and the last slot reported complete at the subscription's
/// commitment. A resumed stream starts at that slot (<c>from_slot</c>), so anything it sends again is in the window
/// and is dropped here. Not thread-safe: one stream reader uses it.
/// </summary>
public sealed class ReplayWindow(int keepSlots)
{
    private readonly SortedDictionary<ulong, HashSet<(ulong WriteVersion, ulong PubkeyPrefix)>> _seen = [];
    private ulong _complete;

    /// <summary>The last slot reported complete, or 0.</summary>
    public ulong LastCompleteSlot => _complete;

    /// <summary>Where a new stream should start: the last complete slot, else the oldest slot seen, else nothing (the tip).</summary>
    public ulong? ResumeSlot => _complete > 0 ? _complete : _seen.Count > 0 ? _seen.Keys.First() : null;

    /// <summary>Restores a stored resume point (after a restart: the window of writes is empty then, grains drop repeats).</summary>
    public void Restore(ulong completeSlot) => _complete = Math.Max(_complete, completeSlot);

    /// <summary>Records an account write; false when it was already delivered (or is older than the window).</summary>
    public bool TryRecord(ulong slot, ulong writeVersion, ReadOnlySpan<byte> pubkey)
    {
        if (_complete > (ulong)keepSlots && slot <= _complete - (ulong)keepSlots)
        {
            return false;
        }

        if (!_seen.TryGetValue(slot, out var writes))
        {
            writes = [];
            _seen.Add(slot, writes);
            while (_seen.Count > keepSlots)
            {
                _seen.Remove(_seen.Keys.First());
            }
        }

        return writes.Add((writeVersion, PubkeyPrefix(pubkey)));
    }

    /// <summary>Takes back a write recorded but not delivered (its hand-off was cancelled), so a replay delivers it.</summary>
    public void Forget(ulong slot, ulong writeVersion, ReadOnlySpan<byte> pubkey)
    {
        if (_seen.TryGetValue(slot, out var writes))
        {
            writes.Remove((writeVersion, PubkeyPrefix(pubkey)));
        }
    }

    /// <summary>A slot reached the subscription's commitment: everything up to it has been delivered.</summary>
    public void Complete(ulong slot)
    {
        if (slot <= _complete)
        {
            return;
        }

        _complete = slot;
        while (_seen.Count > 0 && _seen.Keys.First() is var oldest && _complete >= (ulong)keepSlots && oldest <= _complete - (ulong)keepSlots)
        {
            _seen.Remove(oldest);
        }
    }

    private static ulong PubkeyPrefix(ReadOnlySpan<byte> pubkey) => pubkey.Length >= 8 ? BitConverter.ToUInt64(pubkey[..8]) : 0;

    /// <summary>Forgets the resume point and the window: the stream restarts at the tip (after a gap).</summary>
    public void Reset()
    {
        _complete = 0;
        _seen.Clear();
    }
}
