using AccountGrains.Solana.Rpc;

using Microsoft.Extensions.Logging;

namespace AccountGrains.Grains.Ingest.Rpc;

/// <summary>RPC websocket source log lines (event ids 2300-2399). Endpoints appear only as scheme://host:port.</summary>
internal static partial class RpcSourceLog
{
    [LoggerMessage(2301, LogLevel.Information, "Following {Interest} interest entries over RPC websockets at {Endpoint}: {Subscriptions} subscriptions on {Connections} connections, commitment {Commitment}")]
    public static partial void Planned(ILogger logger, int interest, string endpoint, int subscriptions, int connections, RpcCommitment commitment);

    [LoggerMessage(2302, LogLevel.Information, "RPC websocket {Connection} to {Endpoint} connected; subscribing {Subscriptions}")]
    public static partial void Connected(ILogger logger, int connection, string endpoint, int subscriptions);

    [LoggerMessage(2303, LogLevel.Warning, "RPC websocket {Connection} to {Endpoint} lost ({Reason}); {Subscriptions} subscriptions disconnected, reconnecting in {DelayMs} ms (attempt {Attempt})")]
    public static partial void ConnectionLost(ILogger logger, int connection, string endpoint, string reason, int subscriptions, long delayMs, int attempt);

    [LoggerMessage(2304, LogLevel.Warning, "{Failed} of {Total} RPC subscriptions do not fit the budget of {MaxConnections} connections x {PerConnection} subscriptions and are marked failed; raise AccountGrains:Ingest:Rpc:MaxConnections / MaxSubscriptionsPerConnection if the endpoint allows, or follow less")]
    public static partial void OverBudget(ILogger logger, int failed, int total, int maxConnections, int perConnection);

    [LoggerMessage(2305, LogLevel.Warning, "{Endpoint} refused the {Kind} subscription to {Target} for {InterestId}: {Error}")]
    public static partial void SubscribeRefused(ILogger logger, string endpoint, string kind, string target, string interestId, string error);

    [LoggerMessage(2306, LogLevel.Warning, "Gap: RPC websocket {Connection} was down and websockets cannot replay; re-reading its {Interest} interest entries through {Reader}")]
    public static partial void Gap(ILogger logger, int connection, int interest, string reader);

    [LoggerMessage(2307, LogLevel.Warning, "Gap: RPC websocket {Connection} was down and websockets cannot replay; no RPC reader is configured, so the accounts of its {Interest} interest entries may be stale until they change")]
    public static partial void GapNotRefilled(ILogger logger, int connection, int interest);

    [LoggerMessage(2308, LogLevel.Information, "Gap of RPC websocket {Connection} refilled: re-read {Accounts} accounts")]
    public static partial void GapRefilled(ILogger logger, int connection, int accounts);

    [LoggerMessage(2309, LogLevel.Error, "Gap refill of RPC websocket {Connection} failed; its accounts may be stale until they change")]
    public static partial void GapRefillFailed(ILogger logger, int connection, Exception exception);

    [LoggerMessage(2310, LogLevel.Information, "Interest changed: {Added} RPC subscriptions added, {Removed} removed, {Failed} over budget")]
    public static partial void Changed(ILogger logger, int added, int removed, int failed);

    [LoggerMessage(2311, LogLevel.Debug, "Unsubscribing {Kind} {SubscriptionId} on RPC websocket {Connection} failed: {Error}")]
    public static partial void UnsubscribeFailed(ILogger logger, string kind, ulong subscriptionId, int connection, string error);

    [LoggerMessage(2312, LogLevel.Debug, "RPC websocket {Connection}: notification for unknown subscription {SubscriptionId} dropped")]
    public static partial void UnknownSubscription(ILogger logger, int connection, ulong subscriptionId);

    [LoggerMessage(2313, LogLevel.Error, "RPC websocket {Connection} loop failed unexpectedly; retrying")]
    public static partial void LoopFailed(ILogger logger, int connection, Exception exception);

    [LoggerMessage(2316, LogLevel.Warning, "Reading the recent transactions of wallet {Wallet} after RPC websocket {Connection} was down failed; its activity during the gap may be missing")]
    public static partial void WalletBackfillFailed(ILogger logger, string wallet, int connection, Exception exception);
}
