using System.Threading.Channels;

namespace AccountGrains.Grains.Ingest.Rpc;

/// <summary>Where one websocket connection of the RPC source is in its life.</summary>
internal enum RpcConnectionState
{
    /// <summary>Never connected yet.</summary>
    Connecting,

    Connected,

    /// <summary>Was lost; being reconnected.</summary>
    Lost,
}

/// <summary>
/// One of the RPC source's websocket connections: the subscriptions assigned to it (<see cref="Desired"/>, set by the
/// interest pass) and those the node confirmed on the current socket (<see cref="Subscribed"/>), which its session
/// brings in line with <see cref="Desired"/> whenever <see cref="Wake"/> fires or a socket opens. Every field is
/// guarded by the source's lock.
/// </summary>
internal sealed class RpcConnectionSlot(int index)
{
    public int Index { get; } = index;

    public RpcConnectionState State { get; set; } = RpcConnectionState.Connecting;

    /// <summary>Assigned subscriptions by key.</summary>
    public Dictionary<string, PlannedSubscription> Desired { get; } = new(StringComparer.Ordinal);

    /// <summary>Subscription ids the node gave on the current socket, by key.</summary>
    public Dictionary<string, ulong> Subscribed { get; } = new(StringComparer.Ordinal);

    /// <summary>The subscription behind each id on the current socket (notifications name only the id).</summary>
    public Dictionary<ulong, PlannedSubscription> ById { get; } = [];

    /// <summary>Keys the node refused on the current socket, with its answer; not retried until the socket is replaced.</summary>
    public Dictionary<string, string> Refused { get; } = new(StringComparer.Ordinal);

    /// <summary>The subscribes and unsubscribes in flight on the current socket.</summary>
    public Task Changes { get; set; } = Task.CompletedTask;

    /// <summary>Signals the session that <see cref="Desired"/> changed.</summary>
    public Channel<bool> Wake { get; } = Channel.CreateBounded<bool>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite });

    /// <summary>The connection's loop (connect, subscribe, read, reconnect).</summary>
    public Task Loop { get; set; } = Task.CompletedTask;

    /// <summary>When the socket that was connected went down (the start of a gap); null while none was lost.</summary>
    public DateTimeOffset? LostAt { get; set; }

    /// <summary>Forgets everything the node held for the previous socket.</summary>
    public void ResetSocket()
    {
        Subscribed.Clear();
        ById.Clear();
        Refused.Clear();
        Changes = Task.CompletedTask;
    }
}
