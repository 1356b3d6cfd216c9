using System.Collections.Concurrent;
using System.Collections.Immutable;

namespace AccountGrains.Runtime.Streams;

/// <summary>
/// Who is subscribed to which stream, for a stream provider: copy-on-write lists, so publishing reads one without a
/// lock while subscribes and unsubscribes (rare next to events) swap it.
/// </summary>
internal sealed class SubscriberTable<TSubscriber>
    where TSubscriber : class
{
    private readonly ConcurrentDictionary<StreamId, ImmutableArray<TSubscriber>> _byStream = new();

    public int StreamCount => _byStream.Count;

    public bool TryGet(StreamId stream, out ImmutableArray<TSubscriber> subscribers) => _byStream.TryGetValue(stream, out subscribers);

    public void Add(StreamId stream, TSubscriber subscriber) =>
        _byStream.AddOrUpdate(stream, static (_, s) => [s], static (_, list, s) => list.Add(s), subscriber);

    public void Remove(StreamId stream, TSubscriber subscriber)
    {
        while (_byStream.TryGetValue(stream, out var list))
        {
            var updated = list.Remove(subscriber);
            if (updated.IsEmpty
                    ? _byStream.TryRemove(new KeyValuePair<StreamId, ImmutableArray<TSubscriber>>(stream, list))
                    : _byStream.TryUpdate(stream, updated, list))
            {
                return;
            }
        }
    }

    public void Clear() => _byStream.Clear();
}
