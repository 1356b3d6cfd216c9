namespace AccountGrains.Grains.Ingest;

/// <summary>An upstream feed of account updates: Yellowstone gRPC, Solana RPC websockets or a replay file.</summary>
public interface IAccountUpdateSource
{
    /// <summary>The kind of feed (<c>replay</c>, <c>yellowstone</c>, <c>rpc</c>): the <c>source</c> tag of ingest metrics.</summary>
    string Kind { get; }

    /// <summary>What the source reads from, for logs and status. Never contains a secret.</summary>
    string Describe { get; }

    /// <summary>
    /// Reads updates until the feed ends or <paramref name="cancellationToken"/> fires. Malformed records are reported
    /// to <paramref name="rejected"/> and skipped; they never end the feed.
    /// </summary>
    IAsyncEnumerable<AccountUpdate> ReadAsync(Action<SourceRecordError> rejected, CancellationToken cancellationToken);
}

/// <summary>A record the source could not use, with where it was and why.</summary>
public sealed record SourceRecordError(string Location, string Reason);

/// <summary>A source with a live upstream connection (Yellowstone, RPC websockets): how that connection fares.</summary>
public interface ILiveSource
{
    /// <summary><c>connecting</c>, <c>connected</c> or <c>reconnecting</c>.</summary>
    string Upstream { get; }

    /// <summary>How often the stream was lost and opened again.</summary>
    long Reconnects { get; }

    /// <summary>Losses the upstream could not replay (each logged and counted, its accounts re-read over RPC).</summary>
    long Gaps { get; }

    /// <summary>Each upstream subscription of the interest set and its state.</summary>
    IReadOnlyList<SubscriptionStatus> GetSubscriptions();
}
