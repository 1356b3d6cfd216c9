using Microsoft.Extensions.Logging;

namespace AccountGrains.Grains.Ingest.Yellowstone;

/// <summary>Yellowstone source log lines (event ids 2200-2299). The x-token never appears.</summary>
internal static partial class YellowstoneLog
{
    [LoggerMessage(2201, LogLevel.Information, "Subscribing to {Endpoint}: {Accounts} accounts, {Programs} programs, {Wallets} wallets, commitment {Commitment}, from slot {FromSlot}")]
    public static partial void Subscribing(ILogger logger, string endpoint, int accounts, int programs, int wallets, UpstreamCommitment commitment, string fromSlot);

    [LoggerMessage(2202, LogLevel.Warning, "Yellowstone stream from {Endpoint} lost ({Reason}); reconnecting in {DelayMs} ms (attempt {Attempt})")]
    public static partial void StreamLost(ILogger logger, string endpoint, string reason, long delayMs, int attempt);

    [LoggerMessage(2203, LogLevel.Error, "Gap: {Endpoint} cannot replay from slot {FromSlot} ({Detail}); resuming at the tip and re-reading {Interest} interest entries over RPC")]
    public static partial void Gap(ILogger logger, string endpoint, ulong fromSlot, string detail, int interest);

    [LoggerMessage(2204, LogLevel.Error, "Gap: no RPC endpoint is configured, so the accounts changed during the gap stay stale until they change again")]
    public static partial void GapNotRefilled(ILogger logger);

    [LoggerMessage(2205, LogLevel.Information, "Gap from slot {FromSlot} refilled: re-read {Accounts} accounts over RPC")]
    public static partial void GapRefilled(ILogger logger, int accounts, ulong fromSlot);

    [LoggerMessage(2206, LogLevel.Error, "Gap refill over RPC failed; the accounts changed during the gap stay stale until they change again")]
    public static partial void GapRefillFailed(ILogger logger, Exception exception);

    [LoggerMessage(2207, LogLevel.Information, "Interest changed: subscription rebuilt and resent ({Entries} entries)")]
    public static partial void Rebuilt(ILogger logger, int entries);

    [LoggerMessage(2208, LogLevel.Information, "Yellowstone stream from {Endpoint} connected")]
    public static partial void Connected(ILogger logger, string endpoint);

    [LoggerMessage(2209, LogLevel.Warning, "Yellowstone stream from {Endpoint} delivered nothing for {StallSeconds} s; treating it as lost")]
    public static partial void Stalled(ILogger logger, string endpoint, double stallSeconds);

    [LoggerMessage(2210, LogLevel.Warning, "Storing the Yellowstone checkpoint failed; will retry")]
    public static partial void CheckpointFailed(ILogger logger, Exception exception);

    [LoggerMessage(2211, LogLevel.Information, "Resuming Yellowstone from stored slot {Slot}")]
    public static partial void ResumingFromCheckpoint(ILogger logger, ulong slot);
}
