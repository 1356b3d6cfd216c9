namespace AccountGrains.Gateway.Native;

/// <summary>
/// The send queue of one socket. Replies keep their order and are never merged; realtime updates are keyed by
/// account, and an update for an account that is still waiting replaces the waiting one in place. A slow client
/// therefore receives the latest state of each account instead of a backlog, and the queue holds at most one
/// update per subscribed account plus replies. Past <see cref="Capacity"/> entries the queue refuses, and the
/// socket is closed: a slow client never slows the grains or anyone else.
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

    /// <summary>Queues a reply. False when the queue is full or closed.</summary>
    public bool TryEnqueue(ReadOnlyMemory<byte> message)
    {
        lock (_gate)
        {
            if (_closed || _order.Count >= capacity)
            {
                return false;
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
                    if (entry.Key is not null)
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
