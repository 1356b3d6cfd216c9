using AccountGrains.Gateway.Configuration;
using AccountGrains.Gateway.Diagnostics;
using AccountGrains.Gateway.Subscriptions;
using AccountGrains.Gateway.Wallets;
using Microsoft.Extensions.Options;

namespace AccountGrains.Gateway.Native;

/// <summary>Maps <c>GET /ws</c>, the native WebSocket protocol.</summary>
internal static class NativeEndpoint
{
    public static IEndpointRouteBuilder MapNativeWebSocket(this IEndpointRouteBuilder endpoints, string path = "/ws")
    {
        endpoints.Map(path, async (HttpContext context, IGrainFactory grains, NativeServices services,
            IOptions<GatewayOptions> options, GatewayMetrics metrics, ILoggerFactory loggers, IHostApplicationLifetime lifetime) =>
        {
            if (!context.WebSockets.IsWebSocketRequest)
            {
                return Results.Json(
                    new { error = new { code = "websocket_required", message = $"{path} speaks WebSocket; connect with a WebSocket client" } },
                    statusCode: StatusCodes.Status400BadRequest);
            }

            using var socket = await context.WebSockets.AcceptWebSocketAsync().ConfigureAwait(false);
            using var connection = new NativeConnection(socket, grains, services, options.Value, metrics, loggers.CreateLogger("AccountGrains.Gateway.Native"));
            await connection.RunAsync(context.Connection.RemoteIpAddress?.ToString(), context.RequestAborted, lifetime.ApplicationStopping).ConfigureAwait(false);
            return Results.Empty;
        });
        return endpoints;
    }
}

/// <summary>What every <c>/ws</c> connection shares: the subscription hubs and the wallet readers.</summary>
internal sealed record NativeServices(
    AccountSubscriptionHub Accounts,
    WalletSubscriptionHub Wallets,
    TrackedWallets TrackedWallets,
    UpstreamStatus Upstream);
