using System.Globalization;

using AccountGrains.Runtime.Partitioning;
using AccountGrains.Solana;

using Geyser;

namespace AccountGrains.Grains.Ingest.Yellowstone;

/// <summary>
/// Turns the interest set into one Yellowstone <see cref="SubscribeRequest"/>. Filter names say why an update came,
/// so updates are routed by them: <c>accounts</c> (followed accounts and wallets' own accounts),
/// <c>program/&lt;id&gt;[/&lt;hash&gt;]</c>, <c>wallet/&lt;address&gt;</c> (token accounts the wallet owns),
/// <c>wallets</c> (transactions mentioning a wallet), <c>slots</c> and <c>blocks_meta</c>.
/// </summary>
public static class SubscribeRequestBuilder
{
    public const string AccountsFilter = "accounts";
    public const string ProgramPrefix = "program/";
    public const string WalletPrefix = "wallet/";
    public const string WalletTransactionsFilter = "wallets";
    public const string SlotsFilter = "slots";
    public const string BlocksMetaFilter = "blocks_meta";

    /// <summary>Offset of the owner in an SPL Token or Token-2022 token account.</summary>
    public const ulong TokenAccountOwnerOffset = 32;

    private static readonly string[] TokenPrograms = [WellKnownPrograms.SplToken.ToString(), WellKnownPrograms.Token2022.ToString()];

    /// <param name="interest">The interest set.</param>
    /// <param name="commitment">Commitment of the stream.</param>
    /// <param name="fromSlot">Replay from this slot, when resuming.</param>
    /// <param name="walletTokenAccounts">
    /// Token accounts of the tracked wallets, added to the <c>wallets</c> transaction filter: a transfer into an
    /// existing token account does not name the wallet itself.
    /// </param>
    public static SubscribeRequest Build(
        IReadOnlyList<Interest> interest, UpstreamCommitment commitment, ulong? fromSlot, IReadOnlyList<string>? walletTokenAccounts = null)
    {
        ArgumentNullException.ThrowIfNull(interest);
        var request = new SubscribeRequest
        {
            Commitment = commitment switch
            {
                UpstreamCommitment.Processed => CommitmentLevel.Processed,
                UpstreamCommitment.Finalized => CommitmentLevel.Finalized,
                _ => CommitmentLevel.Confirmed,
            },
        };
        if (fromSlot is { } slot)
        {
            request.FromSlot = slot;
        }

        var accounts = new SubscribeRequestFilterAccounts();
        var walletTransactions = new SubscribeRequestFilterTransactions { Vote = false };
        foreach (var entry in interest)
        {
            switch (entry.Kind)
            {
                case InterestKind.Account:
                    accounts.Account.Add(entry.Key);
                    break;
                case InterestKind.Program:
                    request.Accounts[ProgramFilterName(entry)] = ProgramFilter(entry);
                    break;
                case InterestKind.Wallet:
                    accounts.Account.Add(entry.Key);
                    walletTransactions.AccountInclude.Add(entry.Key);
                    request.Accounts[WalletPrefix + entry.Key] = WalletTokenAccountsFilter(entry.Key);
                    break;
            }
        }

        if (accounts.Account.Count > 0)
        {
            request.Accounts[AccountsFilter] = accounts;
        }

        if (walletTransactions.AccountInclude.Count > 0)
        {
            walletTransactions.AccountInclude.Add(walletTokenAccounts ?? []);
            request.Transactions[WalletTransactionsFilter] = walletTransactions;
        }

        // Slots tell which slots are complete (the resume point); block metas carry block time and height.
        request.Slots[SlotsFilter] = new SubscribeRequestFilterSlots { FilterByCommitment = true };
        request.BlocksMeta[BlocksMetaFilter] = new SubscribeRequestFilterBlocksMeta();
        return request;
    }

    /// <summary><c>program/&lt;id&gt;</c>, or with filters <c>program/&lt;id&gt;/&lt;16 hex digits of the interest id's hash&gt;</c>.</summary>
    public static string ProgramFilterName(Interest interest)
    {
        ArgumentNullException.ThrowIfNull(interest);
        return interest.Filters.Count == 0
            ? ProgramPrefix + interest.Key
            : ProgramPrefix + interest.Key + "/" + PartitionHash.Hash64(interest.Id).ToString("x16", CultureInfo.InvariantCulture);
    }

    private static SubscribeRequestFilterAccounts ProgramFilter(Interest interest)
    {
        var filter = new SubscribeRequestFilterAccounts { Owner = { interest.Key } };
        foreach (var condition in interest.Filters)
        {
            filter.Filters.Add(condition.DataSize is { } size
                ? new SubscribeRequestFilterAccountsFilter { Datasize = size }
                : new SubscribeRequestFilterAccountsFilter
                {
                    Memcmp = new SubscribeRequestFilterAccountsFilterMemcmp { Offset = condition.MemcmpOffset!.Value, Base58 = condition.MemcmpBytes },
                });
        }

        return filter;
    }

    private static SubscribeRequestFilterAccounts WalletTokenAccountsFilter(string wallet) => new()
    {
        Owner = { TokenPrograms },
        Filters =
        {
            new SubscribeRequestFilterAccountsFilter
            {
                Memcmp = new SubscribeRequestFilterAccountsFilterMemcmp { Offset = TokenAccountOwnerOffset, Base58 = wallet },
            },
            new SubscribeRequestFilterAccountsFilter { TokenAccountState = true },
        },
    };
}
