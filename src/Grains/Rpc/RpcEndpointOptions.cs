using AccountGrains.Solana;
using AccountGrains.Solana.Rpc;

using Microsoft.Extensions.Options;

namespace AccountGrains.Grains.Rpc;

/// <summary>
/// The Solana JSON-RPC HTTP endpoint, bound from <c>AccountGrains:Rpc</c> (the retry settings of
/// <see cref="SolanaRpcOptions"/> bind from the same section). When <see cref="Url"/> is set, account grains with no
/// state hydrate from it, and a gap the upstream cannot replay is refilled from it.
/// </summary>
public sealed class RpcEndpointOptions
{
    public const string SectionName = "AccountGrains:Rpc";

    /// <summary>The HTTP(S) JSON-RPC URL. May carry an API key in its path or query: never logged beyond scheme://host:port.</summary>
    public Uri? Url { get; set; }

    /// <summary>Commitment of reads. Default confirmed.</summary>
    public RpcCommitment Commitment { get; set; } = RpcCommitment.Confirmed;

    /// <summary>Load the state of an account nobody has written yet from RPC when it is first read. Default on.</summary>
    public bool Hydrate { get; set; } = true;

    /// <summary>How long hydration requests gather before one getMultipleAccounts goes out. Default 5 ms.</summary>
    public TimeSpan HydrationLinger { get; set; } = TimeSpan.FromMilliseconds(5);

    /// <summary>The URL without path, query or user info, safe for logs.</summary>
    public string DescribeUrl() => SafeUri.Describe(Url);
}

public sealed class RpcEndpointOptionsValidator : IValidateOptions<RpcEndpointOptions>
{
    public ValidateOptionsResult Validate(string? name, RpcEndpointOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = new List<string>();
        if (options.Url is { } url && (!url.IsAbsoluteUri || (url.Scheme != Uri.UriSchemeHttps && url.Scheme != Uri.UriSchemeHttp)))
        {
            failures.Add($"{RpcEndpointOptions.SectionName}:Url must be an absolute http:// or https:// address.");
        }

        if (options.HydrationLinger < TimeSpan.Zero || options.HydrationLinger > TimeSpan.FromSeconds(1))
        {
            failures.Add($"{RpcEndpointOptions.SectionName}:HydrationLinger must be between 0 and 1 s (got {options.HydrationLinger}).");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
