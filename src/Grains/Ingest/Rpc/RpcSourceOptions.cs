using AccountGrains.Solana;
using AccountGrains.Solana.Rpc;

using Microsoft.Extensions.Options;

namespace AccountGrains.Grains.Ingest.Rpc;

/// <summary>The Solana RPC websocket source, bound from <c>AccountGrains:Ingest:Rpc</c>.</summary>
public sealed class RpcSourceOptions
{
    public const string SectionName = "AccountGrains:Ingest:Rpc";

    /// <summary>Public endpoints allow 40 websocket connections per IP.</summary>
    public const int DefaultMaxConnections = 40;

    /// <summary>A conservative share per connection; providers refuse or slow down far larger ones.</summary>
    public const int DefaultMaxSubscriptionsPerConnection = 100;

    public const int DefaultBufferSize = 4096;

    /// <summary>
    /// The PubSub endpoint, <c>wss://host/</c> (or cleartext <c>ws://</c>). Providers put the API key in its path or
    /// query: it is used to connect and never logged nor shown (only <c>scheme://host:port</c> is).
    /// </summary>
    public Uri? WebSocketUrl { get; set; }

    /// <summary>Commitment of every subscription. Default confirmed.</summary>
    public RpcCommitment Commitment { get; set; } = RpcCommitment.Confirmed;

    /// <summary>Most websocket connections opened at once. Default 40.</summary>
    public int MaxConnections { get; set; } = DefaultMaxConnections;

    /// <summary>Most subscriptions carried by one connection. Default 100.</summary>
    public int MaxSubscriptionsPerConnection { get; set; } = DefaultMaxSubscriptionsPerConnection;

    /// <summary>First wait before reconnecting a lost connection; doubles per failed attempt, with jitter. Default 250 ms.</summary>
    public TimeSpan ReconnectInitialDelay { get; set; } = TimeSpan.FromMilliseconds(250);

    /// <summary>Longest wait between reconnect attempts. Default 30 s.</summary>
    public TimeSpan ReconnectMaxDelay { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>How long interest changes are gathered before subscriptions are added and removed. Default 50 ms.</summary>
    public TimeSpan RebuildDebounce { get; set; } = TimeSpan.FromMilliseconds(50);

    /// <summary>Updates read ahead of the grains (bounded: a slow consumer slows the reading). Default 4096.</summary>
    public int BufferSize { get; set; } = DefaultBufferSize;

    /// <summary>How long opening one websocket may take. Default 10 s.</summary>
    public TimeSpan ConnectTimeout { get; set; } = SolanaPubSubOptions.DefaultConnectTimeout;

    /// <summary>How long a subscribe or unsubscribe may wait for its reply. Default 10 s.</summary>
    public TimeSpan RequestTimeout { get; set; } = SolanaPubSubOptions.DefaultRequestTimeout;

    /// <summary>Websocket ping interval, so idle proxies keep the connection open. Default 30 s.</summary>
    public TimeSpan KeepAliveInterval { get; set; } = SolanaPubSubOptions.DefaultKeepAliveInterval;

    /// <summary>No pong within this long ends the connection (and it is reconnected). Default 20 s.</summary>
    public TimeSpan KeepAliveTimeout { get; set; } = SolanaPubSubOptions.DefaultKeepAliveTimeout;

    /// <summary>The endpoint without path, query or user info, safe for logs.</summary>
    public string DescribeEndpoint() => SafeUri.Describe(WebSocketUrl);

    /// <summary>The settings of each websocket connection.</summary>
    public SolanaPubSubOptions ToPubSubOptions() => new()
    {
        ConnectTimeout = ConnectTimeout,
        RequestTimeout = RequestTimeout,
        KeepAliveInterval = KeepAliveInterval,
        KeepAliveTimeout = KeepAliveTimeout,
    };
}

/// <summary>Checks <see cref="RpcSourceOptions"/> when the ingest reads from RPC; each failure names the setting.</summary>
public sealed class RpcSourceOptionsValidator(IOptions<IngestOptions> ingest) : IValidateOptions<RpcSourceOptions>
{
    public ValidateOptionsResult Validate(string? name, RpcSourceOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (ingest.Value.Source != IngestOptions.Rpc)
        {
            return ValidateOptionsResult.Skip;
        }

        var failures = new List<string>();
        var section = RpcSourceOptions.SectionName;
        if (options.WebSocketUrl is not { IsAbsoluteUri: true } url || (url.Scheme != "wss" && url.Scheme != "ws"))
        {
            failures.Add($"{section}:WebSocketUrl must be an absolute wss:// (or cleartext ws://) address when {IngestOptions.SectionName}:Source is '{IngestOptions.Rpc}'.");
        }

        if (!Enum.IsDefined(options.Commitment))
        {
            failures.Add($"{section}:Commitment must be Default, Processed, Confirmed or Finalized (got {options.Commitment}).");
        }

        if (options.MaxConnections < 1)
        {
            failures.Add($"{section}:MaxConnections must be positive (got {options.MaxConnections}).");
        }

        if (options.MaxSubscriptionsPerConnection < 1)
        {
            failures.Add($"{section}:MaxSubscriptionsPerConnection must be positive (got {options.MaxSubscriptionsPerConnection}).");
        }

        if (options.BufferSize < 1)
        {
            failures.Add($"{section}:BufferSize must be positive (got {options.BufferSize}).");
        }

        if (options.ReconnectInitialDelay <= TimeSpan.Zero)
        {
            failures.Add($"{section}:ReconnectInitialDelay must be positive (got {options.ReconnectInitialDelay}).");
        }

        if (options.ReconnectMaxDelay < options.ReconnectInitialDelay)
        {
            failures.Add($"{section}:ReconnectMaxDelay ({options.ReconnectMaxDelay}) must not be below ReconnectInitialDelay ({options.ReconnectInitialDelay}).");
        }

        if (options.RebuildDebounce < TimeSpan.Zero || options.RebuildDebounce > TimeSpan.FromSeconds(10))
        {
            failures.Add($"{section}:RebuildDebounce must be between 0 and 10 s (got {options.RebuildDebounce}).");
        }

        var pubsub = new SolanaPubSubOptionsValidator().Validate(name, options.ToPubSubOptions());
        if (pubsub.Failed)
        {
            failures.AddRange(pubsub.Failures.Select(f => $"{section}:{f}"));
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
