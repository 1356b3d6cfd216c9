using System.Globalization;
using System.Text;

namespace AccountGrains;

/// <summary>What an interest follows upstream.</summary>
public enum InterestKind
{
    /// <summary>One account, by pubkey.</summary>
    Account,

    /// <summary>Every account a program owns, optionally narrowed by <see cref="AccountFilter"/>s.</summary>
    Program,

    /// <summary>A wallet: its own account, the token accounts it owns, and the transactions that mention it.</summary>
    Wallet,
}

/// <summary>
/// One condition on a program's accounts, as Yellowstone and Solana RPC take them: the data is exactly
/// <see cref="DataSize"/> bytes long, or holds <see cref="MemcmpBytes"/> (base58) at <see cref="MemcmpOffset"/>.
/// Exactly one of the two is set.
/// </summary>
public sealed record AccountFilter
{
    public ulong? DataSize { get; init; }

    public ulong? MemcmpOffset { get; init; }

    public string? MemcmpBytes { get; init; }

    public static AccountFilter OfDataSize(ulong size) => new() { DataSize = size };

    public static AccountFilter Memcmp(ulong offset, string base58Bytes) => new() { MemcmpOffset = offset, MemcmpBytes = base58Bytes };

    /// <summary>Reads the canonical text of <see cref="ToString"/> back; throws <see cref="FormatException"/> otherwise.</summary>
    public static AccountFilter Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (text.StartsWith("size=", StringComparison.Ordinal)
            && ulong.TryParse(text.AsSpan(5), NumberStyles.None, CultureInfo.InvariantCulture, out var size))
        {
            return OfDataSize(size);
        }

        var colon = text.IndexOf(':', StringComparison.Ordinal);
        if (text.StartsWith("memcmp=", StringComparison.Ordinal) && colon > 7 && colon < text.Length - 1
            && ulong.TryParse(text.AsSpan(7, colon - 7), NumberStyles.None, CultureInfo.InvariantCulture, out var offset))
        {
            return Memcmp(offset, text[(colon + 1)..]);
        }

        throw new FormatException($"'{text}' is not an account filter (size=<bytes> or memcmp=<offset>:<base58>)");
    }

    /// <summary>Canonical text: <c>size=165</c> or <c>memcmp=32:&lt;base58&gt;</c>.</summary>
    public override string ToString() => DataSize is { } size
        ? string.Create(CultureInfo.InvariantCulture, $"size={size}")
        : string.Create(CultureInfo.InvariantCulture, $"memcmp={MemcmpOffset}:{MemcmpBytes}");
}

/// <summary>
/// One entry of the ingest's interest set: what the upstream subscription must deliver. Two interests are the same
/// when their <see cref="Id"/>s are: kind, key and (for programs) the filters in canonical order.
/// </summary>
public sealed class Interest : IEquatable<Interest>
{
    public Interest(InterestKind kind, string key, IReadOnlyList<AccountFilter>? filters = null)
    {
        ArgumentNullException.ThrowIfNull(key);
        Kind = kind;
        Key = key;
        Filters = filters is null || filters.Count == 0
            ? []
            : [.. filters.OrderBy(f => f.ToString(), StringComparer.Ordinal)];
        KindName = kind switch
        {
            InterestKind.Account => "account",
            InterestKind.Program => "program",
            InterestKind.Wallet => "wallet",
            _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "not an interest kind"),
        };
        Id = CreateId(KindName, key, Filters);
    }

    /// <summary>The kind as the wire, storage and ids spell it: <c>account</c>, <c>program</c> or <c>wallet</c>.</summary>
    public string KindName { get; }

    public InterestKind Kind { get; }

    /// <summary>The account, program or wallet address (base58).</summary>
    public string Key { get; }

    /// <summary>Conditions on a program's accounts, in canonical order; empty for accounts and wallets.</summary>
    public IReadOnlyList<AccountFilter> Filters { get; }

    /// <summary>
    /// Stable identity: <c>account:&lt;pubkey&gt;</c>, <c>wallet:&lt;address&gt;</c>, <c>program:&lt;id&gt;</c> or
    /// <c>program:&lt;id&gt;?size=165&amp;memcmp=32:&lt;base58&gt;</c>.
    /// </summary>
    public string Id { get; }

    public static Interest Account(string pubkey) => new(InterestKind.Account, pubkey);

    public static Interest Wallet(string address) => new(InterestKind.Wallet, address);

    public static Interest Program(string programId, params AccountFilter[] filters) => new(InterestKind.Program, programId, filters);

    public bool Equals(Interest? other) => other is not null && string.Equals(Id, other.Id, StringComparison.Ordinal);

    public override bool Equals(object? obj) => obj is Interest other && Equals(other);

    public override int GetHashCode() => StringComparer.Ordinal.GetHashCode(Id);

    public override string ToString() => Id;

    private static string CreateId(string kindName, string key, IReadOnlyList<AccountFilter> filters)
    {
        var id = new StringBuilder(kindName).Append(':').Append(key);
        for (var i = 0; i < filters.Count; i++)
        {
            id.Append(i == 0 ? '?' : '&').Append(filters[i]);
        }

        return id.ToString();
    }
}
