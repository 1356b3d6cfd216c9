using Microsoft.Extensions.Options;

namespace AccountGrains.Gateway.Configuration;

/// <summary>WebSocket limits of the gateway, bound from <c>AccountGrains:Gateway</c>.</summary>
public sealed class GatewayOptions
{
    public const string SectionName = "AccountGrains:Gateway";

    /// <summary>Largest inbound WebSocket message; a larger one gets a <c>message_too_large</c> error. Default 64 KiB.</summary>
    public int MaxInboundMessageBytes { get; set; } = 64 * 1024;

    /// <summary>
    /// Messages one socket may have waiting to be sent. Realtime updates conflate per account (a slow client gets
    /// the latest state, not a backlog), so this bounds replies plus distinct accounts. Past it the socket is closed
    /// with status 1008 and a reason. Default 4096.
    /// </summary>
    public int MaxQueuedMessagesPerSocket { get; set; } = 4096;

    /// <summary>Accounts one socket may subscribe to. Default 10000.</summary>
    public int MaxSubscriptionsPerSocket { get; set; } = 10_000;

    /// <summary>
    /// With a live source (Yellowstone, RPC websockets), the first subscription to an account adds it to the ingest's
    /// interest set, so subscribers get realtime updates for accounts nobody configured. Entries stay until removed
    /// (DELETE /v1/interest), bounded by <c>AccountGrains:Ingest:MaxInterest</c>. Default on.
    /// </summary>
    public bool FollowSubscriptions { get; set; } = true;

    /// <summary>WebSocket keep-alive ping interval. Default 30 seconds.</summary>
    public TimeSpan KeepAliveInterval { get; set; } = TimeSpan.FromSeconds(30);
}

public sealed class GatewayOptionsValidator : IValidateOptions<GatewayOptions>
{
    public ValidateOptionsResult Validate(string? name, GatewayOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = new List<string>();
        if (options.MaxInboundMessageBytes is < 256 or > 16 * 1024 * 1024)
        {
            failures.Add($"{GatewayOptions.SectionName}:MaxInboundMessageBytes must be between 256 and 16777216 (got {options.MaxInboundMessageBytes}).");
        }

        if (options.MaxQueuedMessagesPerSocket < 16)
        {
            failures.Add($"{GatewayOptions.SectionName}:MaxQueuedMessagesPerSocket must be at least 16 (got {options.MaxQueuedMessagesPerSocket}).");
        }

        if (options.MaxSubscriptionsPerSocket < 1)
        {
            failures.Add($"{GatewayOptions.SectionName}:MaxSubscriptionsPerSocket must be at least 1 (got {options.MaxSubscriptionsPerSocket}).");
        }

        if (options.KeepAliveInterval < TimeSpan.Zero)
        {
            failures.Add($"{GatewayOptions.SectionName}:KeepAliveInterval must not be negative (got {options.KeepAliveInterval}).");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
