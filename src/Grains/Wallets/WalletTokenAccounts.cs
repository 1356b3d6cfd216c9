using System.Collections.Concurrent;
using AccountGrains.Grains.Ingest;
using AccountGrains.Solana;

namespace AccountGrains.Grains.Wallets;

/// <summary>
/// The token accounts of tracked wallets that this process has seen (in account updates, in transactions' token
/// balances, in RPC reads when a wallet is tracked), by their base58 address as updates carry it. They matter twice:
/// a closed token account no longer names its owner, so its closing update is routed by what is remembered here;
/// and a transfer <i>into</i> an existing token account does not mention the wallet itself, so the upstream
/// transaction filter has to name the token account (Yellowstone's <c>account_include</c> matches account keys only).
/// <see cref="WaitForChangeAsync"/> wakes the filter rebuild when a new one is learned. Lookups take no lock: they
/// run for every account update while wallets are tracked.
/// </summary>
public sealed class WalletTokenAccounts
{
    /// <summary>Most token accounts remembered; past it new ones are not learned (their wallets' incoming transfers rely on the wallet being named).</summary>
    public const int MaxRemembered = 1_000_000;

    private readonly ConcurrentDictionary<string, Pubkey> _owners = new(StringComparer.Ordinal);
    private readonly ChangeSignal _changes = new();

    public long Version => _changes.Version;

    public int Count => _owners.Count;

    /// <summary>Records that <paramref name="tokenAccount"/> belongs to <paramref name="wallet"/>; true when that is new.</summary>
    public bool Learn(string tokenAccount, Pubkey wallet)
    {
        ArgumentNullException.ThrowIfNull(tokenAccount);
        if (_owners.TryGetValue(tokenAccount, out var known) ? known == wallet : _owners.Count >= MaxRemembered)
        {
            return false;
        }

        _owners[tokenAccount] = wallet;
        _changes.Signal();
        return true;
    }

    public bool TryGetWallet(string tokenAccount, out Pubkey wallet) => _owners.TryGetValue(tokenAccount, out wallet);

    /// <summary>The remembered token accounts of the given wallets, base58, ordered.</summary>
    public IReadOnlyList<string> Of(IReadOnlySet<string> wallets)
    {
        ArgumentNullException.ThrowIfNull(wallets);
        var keys = wallets.Select(Pubkey.Parse).ToHashSet();
        return [.. _owners.Where(p => keys.Contains(p.Value)).Select(p => p.Key).Order(StringComparer.Ordinal)];
    }

    /// <summary>Completes once a token account was learned after <paramref name="seenVersion"/>.</summary>
    public Task WaitForChangeAsync(long seenVersion, CancellationToken cancellationToken) =>
        _changes.WaitForChangeAsync(seenVersion, cancellationToken);
}
