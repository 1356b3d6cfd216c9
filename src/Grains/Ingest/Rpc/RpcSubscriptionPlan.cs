using AccountGrains.Solana;
using AccountGrains.Solana.Rpc;

namespace AccountGrains.Grains.Ingest.Rpc;

/// <summary>One PubSub subscription an interest needs; <see cref="Key"/> identifies it across interest changes.</summary>
internal sealed record PlannedSubscription(string Key, Interest Interest, PubSubKind Kind, string Target, IReadOnlyList<AccountFilter> Filters)
{
    public string KindName => Kind switch
    {
        PubSubKind.Account => "account",
        PubSubKind.Program => "program",
        PubSubKind.Logs => "logs",
        _ => "slot",
    };

    /// <summary>The filters as programSubscribe takes them.</summary>
    public IReadOnlyList<RpcFilter> RpcFilters() =>
        [.. Filters.Select(f => f.DataSize is { } size
            ? (RpcFilter)new RpcFilter.DataSize(size)
            : new RpcFilter.Memcmp(checked((int)f.MemcmpOffset!.Value), f.MemcmpBytes!))];
}

/// <summary>
/// What the interest set means in Solana PubSub terms: an account is one accountSubscribe, a program one
/// programSubscribe with its filters, and a wallet four subscriptions: its own account, the SPL Token and Token-2022
/// accounts it owns (the owner field sits at offset 32 of a token account) and the transactions that mention it.
/// </summary>
internal static class RpcSubscriptionPlan
{
    /// <summary>Length of an SPL Token account; Token-2022 accounts with extensions are longer, so only SPL Token is sized.</summary>
    public const ulong TokenAccountSize = 165;

    /// <summary>Offset of the owner (wallet) in a token account.</summary>
    public const ulong TokenOwnerOffset = 32;

    public static IReadOnlyList<PlannedSubscription> For(IEnumerable<Interest> interest) => [.. interest.SelectMany(For)];

    public static IEnumerable<PlannedSubscription> For(Interest interest)
    {
        ArgumentNullException.ThrowIfNull(interest);
        switch (interest.Kind)
        {
            case InterestKind.Account:
                yield return new(interest.Id, interest, PubSubKind.Account, interest.Key, []);
                break;
            case InterestKind.Program:
                yield return new(interest.Id, interest, PubSubKind.Program, interest.Key, interest.Filters);
                break;
            case InterestKind.Wallet:
                var owner = AccountFilter.Memcmp(TokenOwnerOffset, interest.Key);
                yield return new($"{interest.Id}#account", interest, PubSubKind.Account, interest.Key, []);
                yield return new($"{interest.Id}#spl-token", interest, PubSubKind.Program, WellKnownPrograms.SplToken.ToString(),
                    [owner, AccountFilter.OfDataSize(TokenAccountSize)]);
                yield return new($"{interest.Id}#token-2022", interest, PubSubKind.Program, WellKnownPrograms.Token2022.ToString(), [owner]);
                yield return new($"{interest.Id}#logs", interest, PubSubKind.Logs, interest.Key, []);
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(interest), interest.Kind, "not an interest kind");
        }
    }
}
