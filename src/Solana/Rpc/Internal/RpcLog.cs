using Microsoft.Extensions.Logging;

namespace AccountGrains.Solana.Rpc.Internal;

/// <summary>
/// Solana RPC and PubSub log lines (event ids 6000-6099). Endpoints appear only as scheme://host:port: API keys live in
/// query strings, paths and headers, none of which is ever logged.
/// </summary>
internal static partial class RpcLog
{
    [LoggerMessage(6001, LogLevel.Warning, "Solana RPC {Method} to {Endpoint}: attempt {Attempt} failed ({Reason}, HTTP status {StatusCode}); retrying in {DelayMs} ms")]
    public static partial void RetryScheduled(ILogger logger, string method, string endpoint, int attempt, string reason, int? statusCode, long delayMs);

    [LoggerMessage(6002, LogLevel.Warning, "Solana RPC {Method} to {Endpoint} gave up after {Attempts} attempt(s): {Reason}, HTTP status {StatusCode}")]
    public static partial void TransportFailed(ILogger logger, string method, string endpoint, int attempts, string reason, int? statusCode);

    [LoggerMessage(6003, LogLevel.Debug, "Solana RPC {Method} to {Endpoint} returned JSON-RPC error {Code}: {RpcMessage}")]
    public static partial void RpcError(ILogger logger, string method, string endpoint, int code, string rpcMessage);

    [LoggerMessage(6004, LogLevel.Warning, "Solana RPC {Method} to {Endpoint} got an unusable reply: {Detail}")]
    public static partial void InvalidResponse(ILogger logger, string method, string endpoint, string detail);

    [LoggerMessage(6020, LogLevel.Information, "Solana PubSub connected to {Endpoint}")]
    public static partial void PubSubConnected(ILogger logger, string endpoint);

    [LoggerMessage(6021, LogLevel.Warning, "Solana PubSub connection to {Endpoint} ended: {Reason}")]
    public static partial void PubSubEnded(ILogger logger, string endpoint, string reason);

    [LoggerMessage(6022, LogLevel.Warning, "Solana PubSub message from {Endpoint} ignored: {Reason}")]
    public static partial void PubSubMalformed(ILogger logger, string endpoint, string reason);

    [LoggerMessage(6023, LogLevel.Debug, "Solana PubSub {Method} on {Endpoint} gave subscription {SubscriptionId}")]
    public static partial void PubSubSubscribed(ILogger logger, string method, string endpoint, ulong subscriptionId);

    [LoggerMessage(6024, LogLevel.Debug, "Solana PubSub reply from {Endpoint} to request {Id} nobody waits for (timed out or cancelled)")]
    public static partial void PubSubUnclaimedReply(ILogger logger, string endpoint, long id);

    [LoggerMessage(6025, LogLevel.Debug, "Solana PubSub connection to {Endpoint} closed by the client")]
    public static partial void PubSubClosed(ILogger logger, string endpoint);
}
