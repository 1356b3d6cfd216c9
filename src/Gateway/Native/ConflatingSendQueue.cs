namespace AccountGrains.Gateway.Native;

/// <summary>
/// The send queue of one socket. Replies keep their order and are never merged; realtime updates are keyed by
/// account, and an update for an account that is still waiting replaces the waiting one in place. A slow client
/// therefore receives the latest state of each account instead of a backlog, and the queue holds at most one
/// update per subscribed account plus replies. Past <see cref="Capacity"/> entries the queue refuses, and the
/// socket is closed: a slow client never slows the grains or anyone else.
/// <para>
/// A message that must never be merged but belongs to a key (a wallet's activity) is queued with
/// <see cref="TryEnqueue(ReadOnlyMemory{byte}, string?)"/> and that key: it counts towards the capacity like a reply,
/// and ends the conflation of the key's waiting update, so a later update of the key queues behind it and the key's
/// messages keep their order.
/// </para>
/// </summary>
internal sealed class ConflatingSendQueue(int capacity) : IDisposable
{
    private readonly Lock _gate = new();
    private readonly Queue<Entry> _order = new();
    private readonly Dictionary<string, Entry> _waitingByKey = new(StringComparer.Ordinal);
    private readonly SemaphoreSlim _available = new(0);
    private bool _closed;

    public int Capacity => capacity;

    public int Count
    {
        get
        {
            lock (_gate)
            {
                return _order.Count;
            }
        }
    }

    /// <summary>Updates replaced by a newer one before they were sent.</summary>
    public long Conflated { get; private set; }

    /// <summary>
    /// Queues a message that is never merged (a reply, a wallet's activity). With <paramref name="orderedAfterKey"/>, a
    /// waiting update of that key is no longer replaced: later ones queue after this message. False when full or closed.
    /// </summary>
    public bool TryEnqueue(ReadOnlyMemory<byte> message, string? orderedAfterKey = null)
    {
        lock (_gate)
        {
            if (_closed || _order.Count >= capacity)
            {
                return false;
            }

            if (orderedAfterKey is not null)
            {
                _waitingByKey.Remove(orderedAfterKey);
            }

            _order.Enqueue(new Entry(null, message));
        }

        _available.Release();
        return true;
    }

    /// <summary>Queues the latest update of <paramref name="key"/>, replacing one still waiting. False when full or closed.</summary>
    public bool TryEnqueueLatest(string key, ReadOnlyMemory<byte> message)
    {
        lock (_gate)
        {
            if (_closed)
            {
                return false;
            }

            if (_waitingByKey.TryGetValue(key, out var waiting))
            {
                waiting.Message = message;
                Conflated++;
                return true;
            }

            if (_order.Count >= capacity)
            {
                return false;
            }

            var entry = new Entry(key, message);
            _order.Enqueue(entry);
            _waitingByKey[key] = entry;
        }

        _available.Release();
        return true;
    }

    /// <summary>Waits for the next message; null once the queue is closed and empty.</summary>
    public async ValueTask<ReadOnlyMemory<byte>?> DequeueAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            await _available.WaitAsync(cancellationToken).ConfigureAwait(false);
            lock (_gate)
            {
                if (_order.TryDequeue(out var entry))
                {
                    // A newer entry of the key may wait behind this one (see TryEnqueue's orderedAfterKey).
                    if (entry.Key is not null && _waitingByKey.TryGetValue(entry.Key, out var waiting) && ReferenceEquals(waiting, entry))
                    {
                        _waitingByKey.Remove(entry.Key);
                    }

                    return entry.Message;
                }

                if (_closed)
                {
                    return null;
                }
            }
        }
    }

    /// <summary>Refuses new messages; <see cref="DequeueAsync"/> returns what is left, then null.</summary>
    public void Close()
    {
        lock (_gate)
        {
            if (_closed)
            {
                return;
            }

            _closed = true;
        }

        _available.Release();
    }

    public void Dispose() => _available.Dispose();

    private sealed class Entry(string? key, ReadOnlyMemory<byte> message)
    {
        public string? Key { get; } = key;

        public ReadOnlyMemory<byte> Message { get; set; } = message;
    }
}
