using System.Numerics;

namespace AccountGrains.Solana.Transactions;

/// <summary>
/// Turns <see cref="TransactionFacts"/> into what the transaction did to one wallet: SOL and token changes,
/// counterparties and a one-line summary. Pure: the same facts always give the same activity. The rules are in
/// README.md beside this file.
/// </summary>
public static class WalletActivityAnalyzer
{
    private const byte SolDecimals = 9;

    /// <summary>The wallet's activity in the transaction; null when the wallet is not involved (not an account key and owner of none of its token accounts).</summary>
    public static WalletActivity? Analyze(TransactionFacts facts, Pubkey wallet)
    {
        ArgumentNullException.ThrowIfNull(facts);
        int walletIndex = IndexOf(facts.AccountKeys, wallet);
        bool ownsTokens = facts.PreTokenBalances.Any(b => b.Owner == wallet) || facts.PostTokenBalances.Any(b => b.Owner == wallet);
        if (walletIndex < 0 && !ownsTokens)
        {
            return null;
        }

        var pre = facts.PreTokenBalances.ToDictionary(b => b.AccountIndex);
        var post = facts.PostTokenBalances.ToDictionary(b => b.AccountIndex);
        bool paidFee = facts.FeePayer == wallet;
        long solChange = walletIndex < 0 ? 0 : Difference(facts.PostBalances[walletIndex], facts.PreBalances[walletIndex]);
        long solTransferred = SolTransferred(facts, wallet, pre, post, solChange, paidFee);
        List<TokenChange> tokenChanges = TokenChanges(wallet, pre, post);

        BigInteger wrapped = tokenChanges.Where(c => c.Mint == KnownMints.WrappedSol).Aggregate(BigInteger.Zero, (sum, c) => sum + c.RawChange);
        var assets = new List<Asset>();
        if (solTransferred + wrapped != 0)
        {
            assets.Add(new Asset(null, "SOL", solTransferred + wrapped, SolDecimals));
        }

        assets.AddRange(tokenChanges
            .Where(c => c.RawChange != 0 && c.Mint != KnownMints.WrappedSol)
            .Select(c => new Asset(c.Mint, KnownMints.Symbol(c.Mint), c.RawChange, c.Decimals)));

        List<Counterparty> counterparties = Counterparties(facts, wallet, pre, post, assets);
        string summary = Summary(facts, wallet, paidFee, assets, counterparties);
        return new WalletActivity(
            wallet,
            facts.Signature,
            facts.Slot,
            facts.BlockTime,
            facts.Succeeded,
            facts.Error,
            facts.Fee,
            paidFee,
            solChange,
            solTransferred,
            tokenChanges,
            counterparties,
            summary);
    }

    private static long SolTransferred(
        TransactionFacts facts, Pubkey wallet, Dictionary<int, TokenBalanceFact> pre, Dictionary<int, TokenBalanceFact> post, long solChange, bool paidFee)
    {
        long transferred = solChange + (paidFee ? checked((long)facts.Fee) : 0);

        // Rent the fee payer put into token accounts this transaction created (e.g. the recipient's associated token
        // account) is a cost of the transfer, not SOL sent; rent back from the wallet's closed token accounts is not
        // SOL received. Neither may turn a send into a receive or the other way round. A wrapped SOL account's
        // lamports are its rent plus its amount, and the amount is counted as the wallet's wrapped SOL instead.
        long rentPaid = 0;
        if (paidFee)
        {
            foreach ((int index, TokenBalanceFact balance) in post)
            {
                if (!pre.ContainsKey(index) && facts.PreBalances[index] == 0)
                {
                    rentPaid += Rent(facts.PostBalances[index], balance);
                }
            }
        }

        long rentRefunded = 0;
        foreach ((int index, TokenBalanceFact balance) in pre)
        {
            if (!post.ContainsKey(index) && balance.Owner == wallet && facts.PostBalances[index] == 0)
            {
                rentRefunded += Rent(facts.PreBalances[index], balance);
            }
        }

        if (rentPaid > 0 && transferred < 0)
        {
            transferred += Math.Min(rentPaid, -transferred);
        }

        if (rentRefunded > 0 && transferred > 0)
        {
            transferred -= Math.Min(rentRefunded, transferred);
        }

        return transferred;
    }

    private static long Rent(ulong lamports, TokenBalanceFact balance)
    {
        ulong wrapped = balance.Mint == KnownMints.WrappedSol ? Math.Min(balance.Amount, lamports) : 0;
        return checked((long)(lamports - wrapped));
    }

    private static List<TokenChange> TokenChanges(Pubkey wallet, Dictionary<int, TokenBalanceFact> pre, Dictionary<int, TokenBalanceFact> post)
    {
        // An account counts on the side(s) where the wallet owns it, so an owner change reads as tokens out or in.
        var byMint = new Dictionary<Pubkey, TokenChange>();
        var order = new List<Pubkey>();
        foreach (int index in pre.Keys.Concat(post.Keys).Distinct())
        {
            TokenBalanceFact? before = pre.GetValueOrDefault(index);
            TokenBalanceFact? after = post.GetValueOrDefault(index);
            TokenBalanceFact? ownedBefore = before?.Owner == wallet ? before : null;
            TokenBalanceFact? ownedAfter = after?.Owner == wallet ? after : null;
            if (ownedBefore is null && ownedAfter is null)
            {
                continue;
            }

            TokenBalanceFact any = (ownedAfter ?? ownedBefore)!;
            if (!byMint.TryGetValue(any.Mint, out TokenChange? change))
            {
                change = new TokenChange(any.Mint, any.ProgramId, BigInteger.Zero, any.Decimals, 0, 0);
                order.Add(any.Mint);
            }

            byMint[any.Mint] = change with
            {
                RawChange = change.RawChange + (ownedAfter?.Amount ?? 0) - (ownedBefore?.Amount ?? 0),
                AccountsCreated = change.AccountsCreated + (before is null ? 1 : 0),
                AccountsClosed = change.AccountsClosed + (after is null ? 1 : 0),
            };
        }

        return order.Select(m => byMint[m]).Where(c => c.RawChange != 0 || c.AccountsCreated > 0 || c.AccountsClosed > 0).ToList();
    }

    private static List<Counterparty> Counterparties(
        TransactionFacts facts, Pubkey wallet, Dictionary<int, TokenBalanceFact> pre, Dictionary<int, TokenBalanceFact> post, List<Asset> assets)
    {
        // Token accounts are represented by their owners (through token balances), never by their lamports, so a
        // pool's vault shows as the pool authority and rent of new token accounts is no counterparty.
        var changes = new Dictionary<(Pubkey Address, Pubkey? Mint), BigInteger>();
        var order = new List<(Pubkey, Pubkey?)>();
        void Add(Pubkey address, Pubkey? mint, BigInteger change)
        {
            if (address == wallet || change == 0)
            {
                return;
            }

            if (!changes.TryGetValue((address, mint), out BigInteger sum))
            {
                order.Add((address, mint));
            }

            changes[(address, mint)] = sum + change;
        }

        for (int i = 0; i < facts.AccountKeys.Count; i++)
        {
            if (!pre.ContainsKey(i) && !post.ContainsKey(i))
            {
                Add(facts.AccountKeys[i], null, (BigInteger)facts.PostBalances[i] - facts.PreBalances[i]);
            }
        }

        foreach (int index in pre.Keys.Concat(post.Keys).Distinct())
        {
            TokenBalanceFact? before = pre.GetValueOrDefault(index);
            TokenBalanceFact? after = post.GetValueOrDefault(index);
            if (before is not null && after is not null && before.Owner == after.Owner && before.Mint == after.Mint)
            {
                Pubkey holder = after.Owner ?? facts.AccountKeys[index];
                Add(holder, AssetMint(after.Mint), (BigInteger)after.Amount - before.Amount);
                continue;
            }

            if (before is not null)
            {
                Add(before.Owner ?? facts.AccountKeys[index], AssetMint(before.Mint), -(BigInteger)before.Amount);
            }

            if (after is not null)
            {
                Add(after.Owner ?? facts.AccountKeys[index], AssetMint(after.Mint), after.Amount);
            }
        }

        var result = new List<Counterparty>();
        foreach (Asset asset in assets)
        {
            result.AddRange(order
                .Where(k => k.Item2 == asset.Mint && changes[k].Sign == -asset.RawChange.Sign)
                .Select(k => new Counterparty(k.Item1, k.Item2, changes[k]))
                .OrderByDescending(c => BigInteger.Abs(c.RawChange)));
        }

        return result;
    }

    private static string Summary(TransactionFacts facts, Pubkey wallet, bool paidFee, List<Asset> assets, List<Counterparty> counterparties)
    {
        string who = wallet.ToShortString();
        if (!facts.Succeeded)
        {
            return $"{who} failed: {facts.Error}";
        }

        switch (assets.Count)
        {
            case 0:
                return paidFee
                    ? $"{who} paid a fee of {TokenAmount.Format(facts.Fee, SolDecimals)} SOL"
                    : $"{who} had no balance changes";
            case 1:
                Asset asset = assets[0];
                var parties = counterparties.Where(c => c.Mint == asset.Mint).ToList();
                return asset.RawChange < 0
                    ? $"{who} sent {asset.Text}{Parties(" to ", parties)}"
                    : $"{who} received {asset.Text}{Parties(" from ", parties)}";
            case 2 when assets[0].RawChange.Sign != assets[1].RawChange.Sign:
                Asset sold = assets[0].RawChange < 0 ? assets[0] : assets[1];
                Asset bought = assets[0].RawChange < 0 ? assets[1] : assets[0];
                return $"{who} swapped {sold.Text} for {bought.Text}";
            default:
                return $"{who} had {assets.Count} token changes";
        }
    }

    private static string Parties(string preposition, List<Counterparty> parties)
    {
        return parties.Count switch
        {
            0 => string.Empty,
            1 => preposition + parties[0].Address.ToShortString(),
            _ => $"{preposition}{parties[0].Address.ToShortString()} and {parties.Count - 1} other{(parties.Count == 2 ? string.Empty : "s")}",
        };
    }

    // Wrapped SOL counts as SOL (mint null) for counterparties, as it does for the wallet.
    private static Pubkey? AssetMint(Pubkey mint)
    {
        return mint == KnownMints.WrappedSol ? null : mint;
    }

    private static long Difference(ulong after, ulong before)
    {
        return after >= before ? checked((long)(after - before)) : -checked((long)(before - after));
    }

    private static int IndexOf(IReadOnlyList<Pubkey> keys, Pubkey key)
    {
        for (int i = 0; i < keys.Count; i++)
        {
            if (keys[i] == key)
            {
                return i;
            }
        }

        return -1;
    }

    private sealed record Asset(Pubkey? Mint, string Symbol, BigInteger RawChange, byte Decimals)
    {
        public string Text => $"{TokenAmount.Format(BigInteger.Abs(RawChange), Decimals)} {Symbol}";
    }
}
