using AccountGrains.Solana;

using Microsoft.Extensions.Options;

namespace AccountGrains.Grains.Ingest.Yellowstone;

/// <summary>Commitment of the upstream subscription.</summary>
public enum UpstreamCommitment
{
    Processed,
    Confirmed,
    Finalized,
}

/// <summary>The Yellowstone Geyser gRPC source, bound from <c>AccountGrains:Ingest:Yellowstone</c>.</summary>
public sealed class YellowstoneOptions
{
    public const string SectionName = "AccountGrains:Ingest:Yellowstone";

    /// <summary>The Geyser endpoint: <c>https://host:443</c>, or <c>http://host:10000</c> for cleartext HTTP/2.</summary>
    public Uri? Endpoint { get; set; }

    /// <summary>The access token sent as <c>x-token</c> metadata. A secret: never logged or shown.</summary>
    public string? XToken { get; set; }

    /// <summary>Default confirmed.</summary>
    public UpstreamCommitment Commitment { get; set; } = UpstreamCommitment.Confirmed;

    /// <summary>How often to ping on the stream so idle load balancers keep it open. Default 10 s.</summary>
    public TimeSpan PingInterval { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>A stream that delivers nothing (not even a pong) for this long is treated as lost. Default 45 s.</summary>
    public TimeSpan StallTimeout { get; set; } = TimeSpan.FromSeconds(45);

    /// <summary>How long interest changes are gathered before the subscription is rebuilt and resent. Default 50 ms.</summary>
    public TimeSpan RebuildDebounce { get; set; } = TimeSpan.FromMilliseconds(50);

    /// <summary>First wait before reconnecting; doubles per failed attempt, with jitter. Default 250 ms.</summary>
    public TimeSpan ReconnectInitialDelay { get; set; } = TimeSpan.FromMilliseconds(250);

    /// <summary>Longest wait between reconnect attempts. Default 30 s.</summary>
    public TimeSpan ReconnectMaxDelay { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Recent slots whose account writes are remembered to drop what a resumed stream sends again. Default 300.</summary>
    public int ReplayWindowSlots { get; set; } = 300;

    /// <summary>How often the last complete slot is stored, so a restart resumes from it. Default 5 s.</summary>
    public TimeSpan CheckpointInterval { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Largest message accepted from the server. Default 64 MiB.</summary>
    public int MaxMessageSize { get; set; } = 64 * 1024 * 1024;

    /// <summary>Updates read ahead of the grains (bounded: a slow consumer slows the stream). Default 4096.</summary>
    public int BufferSize { get; set; } = 4096;

    /// <summary>The endpoint without path, query or user info, safe for logs.</summary>
    public string DescribeEndpoint() => SafeUri.Describe(Endpoint);
}

public sealed class YellowstoneOptionsValidator(IOptions<IngestOptions> ingest) : IValidateOptions<YellowstoneOptions>
{
    public ValidateOptionsResult Validate(string? name, YellowstoneOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (ingest.Value.Source != IngestOptions.Yellowstone)
        {
            return ValidateOptionsResult.Skip;
        }

        var failures = new List<string>();
        var section = YellowstoneOptions.SectionName;
        if (options.Endpoint is not { IsAbsoluteUri: true } endpoint || (endpoint.Scheme != Uri.UriSchemeHttps && endpoint.Scheme != Uri.UriSchemeHttp))
        {
            failures.Add($"{section}:Endpoint must be an absolute https:// (or cleartext http://) address when {IngestOptions.SectionName}:Source is '{IngestOptions.Yellowstone}'.");
        }

        Positive(options.PingInterval, "PingInterval");
        Positive(options.StallTimeout, "StallTimeout");
        Positive(options.ReconnectInitialDelay, "ReconnectInitialDelay");
        if (options.RebuildDebounce < TimeSpan.Zero || options.RebuildDebounce > TimeSpan.FromSeconds(10))
        {
            failures.Add($"{section}:RebuildDebounce must be between 0 and 10 s (got {options.RebuildDebounce}).");
        }

        if (options.ReconnectMaxDelay < options.ReconnectInitialDelay)
        {
            failures.Add($"{section}:ReconnectMaxDelay ({options.ReconnectMaxDelay}) must not be below ReconnectInitialDelay ({options.ReconnectInitialDelay}).");
        }

        if (options.StallTimeout <= options.PingInterval)
        {
            failures.Add($"{section}:StallTimeout ({options.StallTimeout}) must be longer than PingInterval ({options.PingInterval}): pongs keep a quiet stream alive.");
        }

        if (options.ReplayWindowSlots < 1 || options.BufferSize < 1 || options.MaxMessageSize < 1024)
        {
            failures.Add($"{section}: ReplayWindowSlots and BufferSize must be positive and MaxMessageSize at least 1024.");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);

        void Positive(TimeSpan value, string setting)
        {
            if (value <= TimeSpan.Zero)
            {
                failures.Add($"{section}:{setting} must be positive (got {value}).");
            }
        }
    }
}
