using Microsoft.Extensions.Logging;

namespace AccountGrains.Grains.Rpc;

/// <summary>Log lines of the grains' RPC use (event ids 2400-2499). URLs appear as scheme://host:port only.</summary>
internal static partial class RpcLog
{
    [LoggerMessage(2401, LogLevel.Warning, "Hydrating {Count} accounts from {Endpoint} failed; they stay empty until written or asked again")]
    public static partial void HydrationFailed(ILogger logger, int count, string endpoint, Exception exception);

    [LoggerMessage(2402, LogLevel.Warning, "Re-reading {Interest} over RPC failed; going on with the rest")]
    public static partial void ReadFailed(ILogger logger, string interest, Exception exception);

    [LoggerMessage(2403, LogLevel.Information, "Solana RPC at {Endpoint}: hydration {Hydrate}, gap refills on")]
    public static partial void Configured(ILogger logger, string endpoint, bool hydrate);
}
