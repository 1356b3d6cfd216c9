using AccountGrains.Solana;

using Microsoft.Extensions.Options;

namespace AccountGrains.Grains.Ingest;

/// <summary>Which upstream the ingest reads and what it follows, bound from <c>AccountGrains:Ingest</c>.</summary>
public sealed class IngestOptions
{
    public const string SectionName = "AccountGrains:Ingest";
    public const string Replay = "replay";
    public const string Yellowstone = "yellowstone";
    public const string Rpc = "rpc";

    /// <summary><c>replay</c> (default: a JSON Lines file), <c>yellowstone</c> (Geyser gRPC) or <c>rpc</c> (Solana RPC websockets).</summary>
    public string Source { get; set; } = Replay;

    /// <summary>Largest interest set the ingest accepts; adding past it fails clearly. Default 10,000.</summary>
    public int MaxInterest { get; set; } = 10_000;

    /// <summary>Interest present from start-up, in addition to what was added at run time (kept in storage).</summary>
    public InterestOptions Interest { get; set; } = new();
}

/// <summary>The configured part of the interest set.</summary>
public sealed class InterestOptions
{
    /// <summary>Account pubkeys to follow.</summary>
    public IList<string> Accounts { get; } = [];

    /// <summary>Programs whose accounts to follow, each optionally narrowed by data size and memcmp filters.</summary>
    public IList<ProgramInterestOptions> Programs { get; } = [];

    /// <summary>Wallet addresses to follow: the wallet account, its token accounts, its transactions.</summary>
    public IList<string> Wallets { get; } = [];

    /// <summary>Every configured entry as an interest (not validated: see <see cref="InterestRules"/>).</summary>
    public IEnumerable<Interest> ToInterests() =>
        Accounts.Select(Interest.Account)
            .Concat(Programs.Select(p => new Interest(InterestKind.Program, p.Program, [.. p.Filters])))
            .Concat(Wallets.Select(Interest.Wallet));
}

/// <summary>One followed program: <c>{ "Program": "...", "Filters": [ { "DataSize": 165 }, { "MemcmpOffset": 32, "MemcmpBytes": "..." } ] }</c>.</summary>
public sealed class ProgramInterestOptions
{
    public string Program { get; set; } = string.Empty;

    public IList<AccountFilter> Filters { get; } = [];
}

/// <summary>What makes an interest valid: the limits Solana RPC and Yellowstone put on filters.</summary>
public static class InterestRules
{
    /// <summary>Most filters on one program (Solana RPC allows 4).</summary>
    public const int MaxFilters = 4;

    /// <summary>Longest memcmp comparison in bytes (Solana RPC allows 128).</summary>
    public const int MaxMemcmpBytes = 128;

    /// <summary>Largest memcmp offset: an account holds at most 10 MiB of data.</summary>
    public const ulong MaxMemcmpOffset = 10 * 1024 * 1024;

    /// <summary>Null when <paramref name="interest"/> is valid, else why not.</summary>
    public static string? Validate(Interest interest)
    {
        ArgumentNullException.ThrowIfNull(interest);
        if (!Pubkey.TryParse(interest.Key, out _, out var error))
        {
            return $"{interest.KindName} '{interest.Key}': {error}";
        }

        if (interest.Kind != InterestKind.Program && interest.Filters.Count > 0)
        {
            return $"{interest.Id}: only program interests take filters";
        }

        if (interest.Filters.Count > MaxFilters)
        {
            return $"{interest.Id}: {interest.Filters.Count} filters, at most {MaxFilters} allowed";
        }

        foreach (var filter in interest.Filters)
        {
            var memcmp = filter.MemcmpOffset is not null || filter.MemcmpBytes is not null;
            if (filter.DataSize is not null == memcmp)
            {
                return $"program '{interest.Key}': a filter sets exactly one of DataSize or MemcmpOffset + MemcmpBytes";
            }

            if (memcmp && (filter.MemcmpOffset is null || string.IsNullOrEmpty(filter.MemcmpBytes)))
            {
                return $"program '{interest.Key}': a memcmp filter needs both MemcmpOffset and MemcmpBytes";
            }

            if (memcmp && filter.MemcmpOffset > MaxMemcmpOffset)
            {
                return $"program '{interest.Key}': memcmp offset {filter.MemcmpOffset} is past the largest account ({MaxMemcmpOffset} bytes)";
            }

            if (memcmp && !IsShortBase58(filter.MemcmpBytes!))
            {
                return $"program '{interest.Key}': memcmp bytes '{filter.MemcmpBytes}' are not base58 of at most {MaxMemcmpBytes} bytes";
            }
        }

        return null;
    }

    private static bool IsShortBase58(string text)
    {
        Span<byte> buffer = stackalloc byte[MaxMemcmpBytes];
        return text.Length <= Base58.GetMaxEncodedLength(MaxMemcmpBytes) && Base58.TryDecode(text, buffer, out _);
    }
}

public sealed class IngestOptionsValidator : IValidateOptions<IngestOptions>
{
    public ValidateOptionsResult Validate(string? name, IngestOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = new List<string>();
        if (options.Source is not (IngestOptions.Replay or IngestOptions.Yellowstone or IngestOptions.Rpc))
        {
            failures.Add($"{IngestOptions.SectionName}:Source must be '{IngestOptions.Replay}', '{IngestOptions.Yellowstone}' or '{IngestOptions.Rpc}' (got '{options.Source}').");
        }

        if (options.MaxInterest <= 0)
        {
            failures.Add($"{IngestOptions.SectionName}:MaxInterest must be positive (got {options.MaxInterest}).");
        }

        foreach (var interest in options.Interest.ToInterests())
        {
            if (InterestRules.Validate(interest) is { } error)
            {
                failures.Add($"{IngestOptions.SectionName}:Interest: {error}.");
            }
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
