using AccountGrains.Solana;

namespace AccountGrains.Grains.Wallets;

/// <summary>
/// The token accounts of tracked wallets that this process has seen (in account updates, in transactions' token
/// balances, in RPC reads when a wallet is tracked). They matter twice: a closed token account no longer names its
/// owner, so its closing update is routed by what is remembered here; and a transfer <i>into</i> an existing token
/// account does not mention the wallet itself, so the upstream transaction filter has to name the token account
/// (Yellowstone's <c>account_include</c> matches account keys only). <see cref="WaitForChangeAsync"/> wakes the
/// filter rebuild when a new one is learned.
/// </summary>
public sealed class WalletTokenAccounts
{
    /// <summary>Most token accounts remembered; past it new ones are not learned (their wallets' incoming transfers rely on the wallet being named).</summary>
    public const int MaxRemembered = 1_000_000;

    private readonly Lock _gate = new();
    private readonly Dictionary<Pubkey, Pubkey> _owners = [];
    private TaskCompletionSource _changed = NewSignal();
    private long _version;

    public long Version => Interlocked.Read(ref _version);

    public int Count
    {
        get
        {
            lock (_gate)
            {
                return _owners.Count;
            }
        }
    }

    /// <summary>Records that <paramref name="tokenAccount"/> belongs to <paramref name="wallet"/>; true when that is new.</summary>
    public bool Learn(Pubkey tokenAccount, Pubkey wallet)
    {
        lock (_gate)
        {
            if (_owners.TryGetValue(tokenAccount, out var known) ? known == wallet : _owners.Count >= MaxRemembered)
            {
                return false;
            }

            _owners[tokenAccount] = wallet;
            Interlocked.Increment(ref _version);
            var changed = _changed;
            _changed = NewSignal();
            changed.TrySetResult();
            return true;
        }
    }

    public bool TryGetWallet(Pubkey tokenAccount, out Pubkey wallet)
    {
        lock (_gate)
        {
            return _owners.TryGetValue(tokenAccount, out wallet);
        }
    }

    /// <summary>The remembered token accounts of the given wallets, base58, ordered.</summary>
    public IReadOnlyList<string> Of(IReadOnlySet<string> wallets)
    {
        ArgumentNullException.ThrowIfNull(wallets);
        lock (_gate)
        {
            return [.. _owners.Where(p => wallets.Contains(p.Value.ToString())).Select(p => p.Key.ToString()).Order(StringComparer.Ordinal)];
        }
    }

    /// <summary>Completes once a token account was learned after <paramref name="seenVersion"/>.</summary>
    public Task WaitForChangeAsync(long seenVersion, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            return _version != seenVersion ? Task.CompletedTask : _changed.Task.WaitAsync(cancellationToken);
        }
    }

    private static TaskCompletionSource NewSignal() => new(TaskCreationOptions.RunContinuationsAsynchronously);
}
