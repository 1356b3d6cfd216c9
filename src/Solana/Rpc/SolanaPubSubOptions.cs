using System.Diagnostics.Metrics;

using Microsoft.Extensions.Options;

namespace AccountGrains.Solana.Rpc;

/// <summary>Settings of a <see cref="SolanaPubSubClient"/>, read once when it connects.</summary>
public sealed class SolanaPubSubOptions
{
    public const int DefaultNotificationCapacity = 10_000;
    public const int DefaultMaxMessageBytes = 64 * 1024 * 1024;
    public static readonly TimeSpan DefaultConnectTimeout = TimeSpan.FromSeconds(10);
    public static readonly TimeSpan DefaultRequestTimeout = TimeSpan.FromSeconds(10);
    public static readonly TimeSpan DefaultKeepAliveInterval = TimeSpan.FromSeconds(30);
    public static readonly TimeSpan DefaultKeepAliveTimeout = TimeSpan.FromSeconds(20);

    /// <summary>How long opening the websocket may take.</summary>
    public TimeSpan ConnectTimeout { get; set; } = DefaultConnectTimeout;

    /// <summary>How long a subscribe or unsubscribe may wait for its reply before it fails with <see cref="SolanaPubSubTimeoutException"/>.</summary>
    public TimeSpan RequestTimeout { get; set; } = DefaultRequestTimeout;

    /// <summary>How often the client pings the server; <see cref="TimeSpan.Zero"/> sends no pings.</summary>
    public TimeSpan KeepAliveInterval { get; set; } = DefaultKeepAliveInterval;

    /// <summary>
    /// How long to wait for a ping's pong before the connection counts as dead and ends;
    /// <see cref="Timeout.InfiniteTimeSpan"/> sends unsolicited pongs instead and never times out.
    /// </summary>
    public TimeSpan KeepAliveTimeout { get; set; } = DefaultKeepAliveTimeout;

    /// <summary>
    /// Notifications held for the reader. When it is full the client stops reading the socket until there is room
    /// (back-pressure: the server sees a slow consumer), so replies wait too.
    /// </summary>
    public int NotificationCapacity { get; set; } = DefaultNotificationCapacity;

    /// <summary>Largest message read; a larger one is read to its end, discarded and counted as malformed.</summary>
    public int MaxMessageBytes { get; set; } = DefaultMaxMessageBytes;

    /// <summary>Creates the "AccountGrains.Solana.Rpc" meter; null uses a process-wide static meter.</summary>
    public IMeterFactory? MeterFactory { get; set; }
}

/// <summary>Checks <see cref="SolanaPubSubOptions"/>; each failure names the setting and what it must be.</summary>
public sealed class SolanaPubSubOptionsValidator : IValidateOptions<SolanaPubSubOptions>
{
    public ValidateOptionsResult Validate(string? name, SolanaPubSubOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = new List<string>();
        if (options.ConnectTimeout <= TimeSpan.Zero)
        {
            failures.Add($"ConnectTimeout must be positive (got {options.ConnectTimeout}).");
        }

        if (options.RequestTimeout <= TimeSpan.Zero)
        {
            failures.Add($"RequestTimeout must be positive (got {options.RequestTimeout}).");
        }

        if (options.KeepAliveInterval < TimeSpan.Zero)
        {
            failures.Add($"KeepAliveInterval must be zero (no pings) or positive (got {options.KeepAliveInterval}).");
        }

        if (options.KeepAliveTimeout != Timeout.InfiniteTimeSpan && options.KeepAliveTimeout <= TimeSpan.Zero)
        {
            failures.Add($"KeepAliveTimeout must be positive or infinite (got {options.KeepAliveTimeout}).");
        }

        if (options.NotificationCapacity < 1)
        {
            failures.Add($"NotificationCapacity must be at least 1 (got {options.NotificationCapacity}).");
        }

        if (options.MaxMessageBytes < 1024)
        {
            failures.Add($"MaxMessageBytes must be at least 1024 (got {options.MaxMessageBytes}).");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    internal static void ThrowIfInvalid(SolanaPubSubOptions options)
    {
        ValidateOptionsResult result = new SolanaPubSubOptionsValidator().Validate(null, options);
        if (result.Failed)
        {
            throw new ArgumentException($"invalid SolanaPubSubOptions: {result.FailureMessage}", nameof(options));
        }
    }
}
