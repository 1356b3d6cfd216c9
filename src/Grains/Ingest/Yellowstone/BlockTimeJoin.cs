using Geyser;

namespace AccountGrains.Grains.Ingest.Yellowstone;

/// <summary>
/// Gives Yellowstone transactions their block time. A transaction update carries none; the block meta of its slot
/// does, and comes after the slot's transactions. So transactions wait here until their slot's block meta arrives
/// (released with its time) or the slot reaches the commitment without one (released without a time), at most
/// <see cref="MaxPending"/> of them (past that the oldest slot is released early). Not thread-safe: one stream's
/// reader uses it.
/// </summary>
internal sealed class BlockTimeJoin
{
    public const int MaxPending = 10_000;
    private const int RememberedSlots = 512;

    private readonly SortedDictionary<ulong, List<SubscribeUpdateTransaction>> _pending = [];
    private readonly Dictionary<ulong, long> _blockTimes = [];
    private readonly Queue<ulong> _blockTimeOrder = new();
    private int _pendingCount;

    /// <summary>Transactions released, with their block time when known.</summary>
    public readonly record struct Released(SubscribeUpdateTransaction Transaction, long? BlockTime);

    public IReadOnlyList<Released> OnTransaction(SubscribeUpdateTransaction transaction)
    {
        if (_blockTimes.TryGetValue(transaction.Slot, out var known))
        {
            return [new Released(transaction, known)];
        }

        if (!_pending.TryGetValue(transaction.Slot, out var list))
        {
            _pending[transaction.Slot] = list = [];
        }

        list.Add(transaction);
        _pendingCount++;
        return _pendingCount > MaxPending ? ReleaseOldest() : [];
    }

    public IReadOnlyList<Released> OnBlockMeta(ulong slot, long? blockTime)
    {
        if (blockTime is { } time && _blockTimes.TryAdd(slot, time))
        {
            _blockTimeOrder.Enqueue(slot);
            if (_blockTimeOrder.Count > RememberedSlots)
            {
                _blockTimes.Remove(_blockTimeOrder.Dequeue());
            }
        }

        return Release(slot, blockTime);
    }

    /// <summary>The slot reached the commitment: it and every slot before it are released.</summary>
    public IReadOnlyList<Released> OnSlotComplete(ulong slot)
    {
        List<Released>? released = null;
        while (_pending.Count > 0 && _pending.Keys.First() is var first && first <= slot)
        {
            (released ??= []).AddRange(Release(first, _blockTimes.TryGetValue(first, out var time) ? time : null));
        }

        return released ?? [];
    }

    /// <summary>Forgets what waits (a stream ended: its slots were not complete, so the next stream delivers them again).</summary>
    public void Clear()
    {
        _pending.Clear();
        _pendingCount = 0;
    }

    private List<Released> ReleaseOldest() => Release(_pending.Keys.First(), null);

    private List<Released> Release(ulong slot, long? blockTime)
    {
        if (!_pending.Remove(slot, out var list))
        {
            return [];
        }

        _pendingCount -= list.Count;
        return [.. list.Select(t => new Released(t, blockTime))];
    }
}
