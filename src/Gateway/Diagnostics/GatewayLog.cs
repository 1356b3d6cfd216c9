namespace AccountGrains.Gateway.Diagnostics;

/// <summary>Gateway log lines (event ids 3000-3999).</summary>
internal static partial class GatewayLog
{
    [LoggerMessage(3001, LogLevel.Information, "AccountGrains gateway ({Mode}) listening on {Addresses}; source {Source}; storage {Storage}")]
    public static partial void Listening(ILogger logger, string mode, string addresses, string source, string storage);

    [LoggerMessage(3030, LogLevel.Information, "Stream subscriptions are back after a broker reconnect; re-reading {Count} {Kind}")]
    public static partial void Rereading(ILogger logger, int count, string kind);

    [LoggerMessage(3031, LogLevel.Warning, "Re-reading {Key} after a broker reconnect failed; its subscribers get the next update")]
    public static partial void RereadFailed(ILogger logger, string key, Exception exception);

    [LoggerMessage(3002, LogLevel.Debug, "WebSocket {Connection} opened from {Remote}")]
    public static partial void SocketOpened(ILogger logger, string connection, string? remote);

    [LoggerMessage(3003, LogLevel.Debug, "WebSocket {Connection} closed after {Received} requests and {Sent} messages")]
    public static partial void SocketClosed(ILogger logger, string connection, long received, long sent);

    [LoggerMessage(3004, LogLevel.Warning, "WebSocket {Connection} closed: send queue overflowed ({Queued} waiting); the client is not reading fast enough")]
    public static partial void SlowClientClosed(ILogger logger, string connection, int queued);

    [LoggerMessage(3005, LogLevel.Debug, "WebSocket {Connection} ended abruptly")]
    public static partial void SocketAborted(ILogger logger, string connection, Exception exception);

    [LoggerMessage(3006, LogLevel.Warning, "Request on WebSocket {Connection} failed")]
    public static partial void RequestFailed(ILogger logger, string connection, Exception exception);

    [LoggerMessage(3007, LogLevel.Warning, "Could not add account {Pubkey} to the ingest's interest set for a subscriber: {Reason}")]
    public static partial void FollowFailed(ILogger logger, string pubkey, string reason);

    [LoggerMessage(3008, LogLevel.Warning, "Reading the ingest's status for wallet statuses failed; keeping the last known one")]
    public static partial void UpstreamStatusFailed(ILogger logger, Exception exception);
}
