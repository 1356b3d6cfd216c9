using System.Diagnostics.Metrics;

using Microsoft.Extensions.Options;

namespace AccountGrains.Solana.Rpc;

/// <summary>Settings of a <see cref="SolanaRpcClient"/>, read once when the client is created.</summary>
public sealed class SolanaRpcOptions
{
    public const int DefaultMaxRetries = 5;
    public const int DefaultMaxAccountsPerRequest = 100;
    public const int DefaultMaxConcurrentRequests = 4;
    public static readonly TimeSpan DefaultInitialBackoff = TimeSpan.FromMilliseconds(200);
    public static readonly TimeSpan DefaultMaxBackoff = TimeSpan.FromSeconds(10);
    public static readonly TimeSpan DefaultMaxRetryAfter = TimeSpan.FromSeconds(30);
    public static readonly TimeSpan DefaultRequestTimeout = TimeSpan.FromSeconds(30);

    /// <summary>Retries after the first attempt for HTTP 429, 5xx, connection failures, timeouts and -32005 (node behind). 0 disables retrying.</summary>
    public int MaxRetries { get; set; } = DefaultMaxRetries;

    /// <summary>The backoff before the first retry; each further retry doubles it (with jitter), up to <see cref="MaxBackoff"/>.</summary>
    public TimeSpan InitialBackoff { get; set; } = DefaultInitialBackoff;

    /// <summary>The longest computed backoff.</summary>
    public TimeSpan MaxBackoff { get; set; } = DefaultMaxBackoff;

    /// <summary>The longest wait a server's Retry-After header may impose; longer values are cut to this.</summary>
    public TimeSpan MaxRetryAfter { get; set; } = DefaultMaxRetryAfter;

    /// <summary>How long one attempt (send and read the whole reply) may take before it counts as a timeout.</summary>
    public TimeSpan RequestTimeout { get; set; } = DefaultRequestTimeout;

    /// <summary>Most keys in one getMultipleAccounts request (Solana nodes refuse more than 100).</summary>
    public int MaxAccountsPerRequest { get; set; } = DefaultMaxAccountsPerRequest;

    /// <summary>Most getMultipleAccounts batches of one call in flight at once.</summary>
    public int MaxConcurrentRequests { get; set; } = DefaultMaxConcurrentRequests;

    /// <summary>Headers sent with every request (e.g. an API key header). Values are never logged.</summary>
    public IDictionary<string, string> Headers { get; } = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);

    /// <summary>Creates the "AccountGrains.Solana.Rpc" meter; null uses a process-wide static meter.</summary>
    public IMeterFactory? MeterFactory { get; set; }
}

/// <summary>Checks <see cref="SolanaRpcOptions"/>; each failure names the setting and what it must be.</summary>
public sealed class SolanaRpcOptionsValidator : IValidateOptions<SolanaRpcOptions>
{
    public ValidateOptionsResult Validate(string? name, SolanaRpcOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = new List<string>();
        if (options.MaxRetries < 0)
        {
            failures.Add($"MaxRetries must be 0 or more (got {options.MaxRetries}).");
        }

        RequirePositive(failures, nameof(options.InitialBackoff), options.InitialBackoff);
        RequirePositive(failures, nameof(options.MaxBackoff), options.MaxBackoff);
        if (options.MaxBackoff < options.InitialBackoff)
        {
            failures.Add($"MaxBackoff ({options.MaxBackoff}) must not be shorter than InitialBackoff ({options.InitialBackoff}).");
        }

        if (options.MaxRetryAfter < TimeSpan.Zero)
        {
            failures.Add($"MaxRetryAfter must be zero or positive (got {options.MaxRetryAfter}).");
        }

        if (options.RequestTimeout != Timeout.InfiniteTimeSpan)
        {
            RequirePositive(failures, nameof(options.RequestTimeout), options.RequestTimeout);
        }

        if (options.MaxAccountsPerRequest < 1)
        {
            failures.Add($"MaxAccountsPerRequest must be at least 1 (got {options.MaxAccountsPerRequest}); Solana nodes accept up to 100.");
        }

        if (options.MaxConcurrentRequests < 1)
        {
            failures.Add($"MaxConcurrentRequests must be at least 1 (got {options.MaxConcurrentRequests}).");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    internal static void ThrowIfInvalid(SolanaRpcOptions options)
    {
        ValidateOptionsResult result = new SolanaRpcOptionsValidator().Validate(null, options);
        if (result.Failed)
        {
            throw new ArgumentException($"invalid SolanaRpcOptions: {result.FailureMessage}", nameof(options));
        }
    }

    private static void RequirePositive(List<string> failures, string name, TimeSpan value)
    {
        if (value <= TimeSpan.Zero)
        {
            failures.Add($"{name} must be positive (got {value}).");
        }
    }
}
