using System.Collections.Concurrent;
using System.Diagnostics;
using AccountGrains.Client;

namespace AccountGrains.Cluster.Tests.Support;

/// <summary>What a subscriber saw of one account, in arrival order.</summary>
internal sealed record SeenState(ulong Slot, ulong WriteVersion, ulong Lamports, string Source, int Connection);

/// <summary>
/// A WebSocket client of a gateway's native /ws that subscribes to a set of accounts and records every account message
/// it receives, per key, in order. When the socket drops (a gateway or broker restart) it reconnects and subscribes
/// again, and keeps recording: order must hold across reconnects too.
/// </summary>
internal sealed class RecordingSubscriber : IAsyncDisposable
{
    private readonly AccountGrainsClient _client;
    private readonly IReadOnlyList<string> _pubkeys;
    private readonly ConcurrentDictionary<string, List<SeenState>> _seen = new(StringComparer.Ordinal);
    private readonly ConcurrentQueue<string> _errors = new();
    private readonly CancellationTokenSource _stop = new();
    private Task _loop = Task.CompletedTask;
    private int _connections;
    private int _snapshots;

    private RecordingSubscriber(Uri gateway, IReadOnlyList<string> pubkeys)
    {
        _client = new AccountGrainsClient(gateway);
        _pubkeys = pubkeys;
        foreach (var pubkey in pubkeys)
        {
            _seen[pubkey] = [];
        }
    }

    public int Connections => Volatile.Read(ref _connections);

    /// <summary>Subscribe replies received (one per key per connection once all are in).</summary>
    public int Snapshots => Volatile.Read(ref _snapshots);

    public IReadOnlyCollection<string> Errors => _errors;

    /// <summary>How long the first reply to every subscription took to arrive.</summary>
    public TimeSpan SubscribedIn { get; private set; }

    /// <summary>
    /// Connects <paramref name="sockets"/> WebSockets, spreads the keys over them, subscribes and waits for every
    /// reply (at most <paramref name="timeout"/>, default 60 s).
    /// </summary>
    public static async Task<RecordingSubscriber> StartAsync(Uri gateway, IReadOnlyList<string> pubkeys, int sockets = 1, TimeSpan? timeout = null)
    {
        var subscriber = new RecordingSubscriber(gateway, pubkeys);
        var started = Stopwatch.GetTimestamp();
        subscriber._loop = Task.WhenAll(Enumerable.Range(0, sockets).Select(s =>
        {
            var keys = pubkeys.Where((_, i) => i % sockets == s).ToList();
            return Task.Run(() => subscriber.RunAsync(keys, subscriber._stop.Token));
        }));
        var limit = timeout ?? TimeSpan.FromSeconds(60);
        while (subscriber.Snapshots < pubkeys.Count)
        {
            if (Stopwatch.GetElapsedTime(started) > limit)
            {
                await subscriber.DisposeAsync().ConfigureAwait(false);
                throw new TimeoutException(
                    $"{subscriber.Snapshots} of {pubkeys.Count} subscriptions answered within {limit.TotalSeconds:F0} s over {sockets} socket(s); errors: {string.Join(" | ", subscriber.Errors.Take(5))}");
            }

            await Task.Delay(20).ConfigureAwait(false);
        }

        subscriber.SubscribedIn = Stopwatch.GetElapsedTime(started);
        return subscriber;
    }

    public IReadOnlyList<SeenState> SeenFor(string pubkey)
    {
        var list = _seen[pubkey];
        lock (list)
        {
            return [.. list];
        }
    }

    /// <summary>The last state seen per key (null when none was seen).</summary>
    public SeenState? Last(string pubkey)
    {
        var list = _seen[pubkey];
        lock (list)
        {
            return list.Count == 0 ? null : list[^1];
        }
    }

    /// <summary>Every key whose (slot, write_version) went down from one message to a later one.</summary>
    public IReadOnlyList<string> Regressions()
    {
        var regressions = new List<string>();
        foreach (var pubkey in _pubkeys)
        {
            var seen = SeenFor(pubkey);
            for (var i = 1; i < seen.Count; i++)
            {
                if ((seen[i].Slot, seen[i].WriteVersion).CompareTo((seen[i - 1].Slot, seen[i - 1].WriteVersion)) < 0)
                {
                    regressions.Add($"{pubkey}: {seen[i - 1]} then {seen[i]}");
                }
            }
        }

        return regressions;
    }

    public int MessageCount => _pubkeys.Sum(p => SeenFor(p).Count);

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        try
        {
            await _loop.ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
        }

        _client.Dispose();
        _stop.Dispose();
    }

    private async Task RunAsync(IReadOnlyList<string> keys, CancellationToken stop)
    {
        while (!stop.IsCancellationRequested)
        {
            var connection = Interlocked.Increment(ref _connections);
            try
            {
                await using var socket = await _client.ConnectAsync(stop).ConfigureAwait(false);
                var reader = ReadAsync(socket, connection, stop);
                foreach (var pubkey in keys)
                {
                    await socket.SubscribeAsync(pubkey, stop).ConfigureAwait(false);
                }

                await reader.ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                _errors.Enqueue($"connection {connection}: {e.GetType().Name}: {e.Message}");
            }

            await Task.Delay(200, stop).ConfigureAwait(false);
        }
    }

    private async Task ReadAsync(AccountSocket socket, int connection, CancellationToken stop)
    {
        await foreach (var message in socket.ReadAllAsync(stop).ConfigureAwait(false))
        {
            switch (message)
            {
                case AccountMessage account:
                    if (account.Id is not null)
                    {
                        Interlocked.Increment(ref _snapshots);
                    }

                    if (account.Account is { } state && _seen.TryGetValue(account.Pubkey, out var list))
                    {
                        lock (list)
                        {
                            list.Add(new SeenState(state.Slot, state.WriteVersion, state.Lamports, account.Source, connection));
                        }
                    }

                    break;
                case ErrorMessage error:
                    _errors.Enqueue($"connection {connection}: {error.Code}: {error.Message}");
                    break;
            }
        }
    }
}
