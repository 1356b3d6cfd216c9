using System.Buffers.Binary;
using System.Globalization;
using AccountGrains.Grains.Ingest;
using AccountGrains.Grains.Rpc;
using AccountGrains.Solana;
using AccountGrains.Solana.Transactions;
using Microsoft.Extensions.Logging;

namespace AccountGrains.Grains.Wallets;

/// <summary>
/// Finds the tracked wallets an upstream record concerns and hands it to their grains (one-way calls, awaited for
/// back-pressure). An account update concerns a wallet when it is the wallet's own account or a token account (SPL
/// Token or Token-2022) the wallet owns — or owned: a closed token account no longer names its owner, so the router
/// remembers which wallet each token account it routed belongs to. A transaction concerns every tracked wallet among
/// its account keys or owning one of its token balances; each gets the transaction analysed for it.
/// The tracked set is the ingest's interest set (its wallet entries), reread when that set changes.
/// </summary>
public sealed class WalletRouter(
    InterestSet interest,
    WalletTokenAccounts tokenAccounts,
    IGrainFactory grains,
    SolanaRpcAccess rpc,
    TimeProvider time,
    ILogger<WalletRouter> logger)
{
    /// <summary>Bytes of an SPL Token account; Token-2022 accounts with extensions are longer, with account type 2 at this offset.</summary>
    public const int TokenAccountLength = 165;

    private TrackedWallets _wallets = new(-1, [], []);

    /// <summary>The tracked wallet <paramref name="update"/> concerns, or null.</summary>
    public string? WalletOf(AccountUpdate update)
    {
        ArgumentNullException.ThrowIfNull(update);
        // Per account update: string lookups and the token layout's bytes, no base58 decoding.
        var cached = Volatile.Read(ref _wallets);
        var wallets = cached.Version == interest.Version ? cached : Refresh();
        if (wallets.Keys.Count == 0)
        {
            return null;
        }

        if (wallets.Addresses.Contains(update.Pubkey))
        {
            return update.Pubkey;
        }

        if (TokenAccount.TryRead(update.Owner, update.Data, out var token) && wallets.Keys.Contains(token.Owner))
        {
            tokenAccounts.Learn(update.Pubkey, token.Owner);
            return token.Owner.ToString();
        }

        // A token account of a tracked wallet that was closed (or handed to another owner).
        return tokenAccounts.TryGetWallet(update.Pubkey, out var owner) && wallets.Keys.Contains(owner) ? owner.ToString() : null;
    }

    /// <summary>Hands the update to the grain of the wallet it concerns, if any.</summary>
    public Task RouteAsync(AccountUpdate update) =>
        WalletOf(update) is { } wallet ? grains.Get<IWalletGrain>(wallet).ApplyAccountAsync(update) : Task.CompletedTask;

    /// <summary>
    /// Reads the accounts of newly tracked <paramref name="wallets"/> over RPC (their own account and every token
    /// account they own), when an endpoint is configured, and hands them on as the feed's updates are: to their account
    /// grains and their wallet grains. So holdings are known from the start, and their token accounts are named in
    /// the upstream transaction filter. Failures are logged: the feed fills in what changes.
    /// </summary>
    public async Task PrimeAsync(IReadOnlyList<Interest> wallets, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(wallets);
        if (rpc.Reader is not { } reader || wallets.Count == 0)
        {
            return;
        }

        var count = 0;
        try
        {
            await foreach (var update in reader.ReadAsync(wallets, cancellationToken).ConfigureAwait(false))
            {
                await grains.Get<IAccountGrain>(update.Pubkey).ApplyAsync(update).ConfigureAwait(false);
                await RouteAsync(update).ConfigureAwait(false);
                count++;
            }

            WalletLog.Primed(logger, count, wallets.Count);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
        catch (Exception e)
        {
            WalletLog.PrimeFailed(logger, wallets.Count, e);
        }
    }

    /// <summary>Analyses <paramref name="facts"/> for every tracked wallet it involves and hands each its entry.</summary>
    public async ValueTask RouteAsync(TransactionFacts facts, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(facts);
        var wallets = Wallets();
        if (wallets.Count == 0)
        {
            return;
        }

        foreach (var wallet in Involved(facts, wallets))
        {
            cancellationToken.ThrowIfCancellationRequested();
            WalletActivityEntry? entry;
            try
            {
                entry = ToEntry(facts, wallet, time.GetUtcNow());
            }
            catch (Exception e) when (e is ArgumentException or InvalidOperationException or OverflowException)
            {
                // One odd transaction must never stop the feed.
                WalletLog.AnalysisFailed(logger, facts.Signature, facts.Slot, wallet.ToString(), e);
                continue;
            }

            if (entry is not null)
            {
                await grains.Get<IWalletGrain>(entry.Wallet).ApplyActivityAsync(entry).ConfigureAwait(false);
            }
        }
    }

    /// <summary>What <paramref name="facts"/> did to <paramref name="wallet"/>, or null when it is not involved.</summary>
    public static WalletActivityEntry? ToEntry(TransactionFacts facts, Pubkey wallet, DateTimeOffset receivedAt)
    {
        ArgumentNullException.ThrowIfNull(facts);
        if (WalletActivityAnalyzer.Analyze(facts, wallet) is not { } activity)
        {
            return null;
        }

        var index = IndexOf(facts.AccountKeys, wallet);
        ulong? postLamports = index >= 0 && index < facts.PostBalances.Count ? facts.PostBalances[index] : null;
        var holdings = facts.PostTokenBalances
            .Where(b => b.Owner == wallet && b.AccountIndex < facts.AccountKeys.Count)
            .Select(b => new TokenHolding(
                facts.AccountKeys[b.AccountIndex].ToString(),
                b.Mint.ToString(),
                (b.ProgramId ?? WellKnownPrograms.SplToken).ToString(),
                b.Amount,
                b.Decimals,
                TokenAmount.Format(b.Amount, b.Decimals),
                facts.Slot,
                0))
            .ToList();
        var closed = facts.PreTokenBalances
            .Where(b => b.Owner == wallet && b.AccountIndex < facts.AccountKeys.Count
                && !facts.PostTokenBalances.Any(p => p.AccountIndex == b.AccountIndex))
            .Select(b => facts.AccountKeys[b.AccountIndex].ToString())
            .ToList();
        return new WalletActivityEntry(
            wallet.ToString(),
            activity.Signature,
            activity.Slot,
            activity.BlockTime,
            activity.Succeeded,
            activity.Error,
            activity.Fee,
            activity.PaidFee,
            activity.SolChange,
            activity.SolTransferred,
            [.. activity.TokenChanges.Select(c => new WalletTokenChange(
                c.Mint.ToString(),
                c.ProgramId?.ToString(),
                c.RawChange.ToString(CultureInfo.InvariantCulture),
                c.Decimals,
                c.Amount,
                c.AccountsCreated,
                c.AccountsClosed))],
            [.. activity.Counterparties.Select(c => new WalletCounterparty(
                c.Address.ToString(), c.Mint?.ToString(), c.RawChange.ToString(CultureInfo.InvariantCulture)))],
            activity.Summary,
            postLamports,
            holdings,
            receivedAt,
            closed);
    }

    private HashSet<Pubkey> Involved(TransactionFacts facts, HashSet<Pubkey> wallets)
    {
        var involved = new HashSet<Pubkey>();
        foreach (var key in facts.AccountKeys)
        {
            if (wallets.Contains(key))
            {
                involved.Add(key);
            }
        }

        foreach (var balance in facts.PreTokenBalances.Concat(facts.PostTokenBalances))
        {
            if (balance.Owner is { } owner && wallets.Contains(owner))
            {
                involved.Add(owner);
                if (balance.AccountIndex < facts.AccountKeys.Count)
                {
                    tokenAccounts.Learn(facts.AccountKeys[balance.AccountIndex].ToString(), owner);
                }
            }
        }

        return involved;
    }

    private static int IndexOf(IReadOnlyList<Pubkey> keys, Pubkey key)
    {
        for (var i = 0; i < keys.Count; i++)
        {
            if (keys[i] == key)
            {
                return i;
            }
        }

        return -1;
    }

    private HashSet<Pubkey> Wallets()
    {
        var cached = Volatile.Read(ref _wallets);
        return (cached.Version == interest.Version ? cached : Refresh()).Keys;
    }

    /// <summary>Rebuilds the tracked set from the interest set.</summary>
    private TrackedWallets Refresh()
    {
        var version = interest.Version;
        var wallets = new HashSet<Pubkey>();
        var addresses = new HashSet<string>(StringComparer.Ordinal);
        foreach (var entry in interest.Snapshot())
        {
            if (entry.Kind == InterestKind.Wallet && Pubkey.TryParse(entry.Key, out var key, out _))
            {
                wallets.Add(key);
                addresses.Add(entry.Key);
            }
        }

        // Several threads route (the ingest loop, the source's readers, RPC fetchers): version and sets travel as one
        // object, and only a newer version replaces the cached one. (The snapshot may be newer than the version read
        // first; it is then rebuilt once more on the next call, never kept stale.)
        var built = new TrackedWallets(version, wallets, addresses);
        var cached = Volatile.Read(ref _wallets);
        while (cached.Version < version && Interlocked.CompareExchange(ref _wallets, built, cached) != cached)
        {
            cached = Volatile.Read(ref _wallets);
        }

        return built;
    }

    private sealed record TrackedWallets(long Version, HashSet<Pubkey> Keys, HashSet<string> Addresses);
}

/// <summary>The parts of an SPL Token or Token-2022 token account a wallet needs: mint, owner, amount.</summary>
public readonly record struct TokenAccount(Pubkey Mint, Pubkey Owner, ulong Amount, Pubkey Program)
{
    private const int OwnerOffset = 32;
    private const int AmountOffset = 64;
    private const byte Token2022AccountType = 2;
    private static readonly string SplToken = WellKnownPrograms.SplToken.ToString();
    private static readonly string Token2022 = WellKnownPrograms.Token2022.ToString();

    /// <summary>Reads a token account; false for anything else (mints, multisigs, other programs' accounts, closed accounts).</summary>
    public static bool TryRead(string owner, ReadOnlySpan<byte> data, out TokenAccount account)
    {
        account = default;
        if (data.Length < WalletRouter.TokenAccountLength)
        {
            return false;
        }

        Pubkey program;
        if (string.Equals(owner, SplToken, StringComparison.Ordinal) && data.Length == WalletRouter.TokenAccountLength)
        {
            program = WellKnownPrograms.SplToken;
        }
        else if (string.Equals(owner, Token2022, StringComparison.Ordinal)
            && (data.Length == WalletRouter.TokenAccountLength || data[WalletRouter.TokenAccountLength] == Token2022AccountType))
        {
            program = WellKnownPrograms.Token2022;
        }
        else
        {
            return false;
        }

        account = new TokenAccount(
            Pubkey.Read(data),
            Pubkey.Read(data[OwnerOffset..]),
            BinaryPrimitives.ReadUInt64LittleEndian(data[AmountOffset..]),
            program);
        return true;
    }
}
