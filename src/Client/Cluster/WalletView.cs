namespace AccountGrains.Client.Cluster;

/// <summary>
/// What the cluster knows about a wallet, from its wallet grain: whether and by whom it is tracked, its status, its
/// SOL balance, its token holdings and how much activity was recorded.
/// <para>
/// New information arrives as new properties; the ones here keep their meaning, so code written against this view
/// keeps working. Properties rather than a positional record for that reason.
/// </para>
/// </summary>
public sealed record WalletView
{
    /// <summary>The wallet's address (base58), as asked for.</summary>
    public required string Address { get; init; }

    /// <summary>Somebody tracks the wallet: its account, token accounts and transactions are followed upstream.</summary>
    public required bool IsTracked { get; init; }

    /// <summary>The SOL balance in lamports (1 SOL = 10^9 lamports); null while nothing is known about the wallet's account.</summary>
    public ulong? Lamports { get; init; }

    /// <summary>The slot <see cref="Lamports"/> comes from; null with it.</summary>
    public ulong? Slot { get; init; }

    /// <summary>Active (tracked, upstream up), Disconnected (tracked, upstream down) or Untracked.</summary>
    public WalletStatus Status { get; init; } = WalletStatus.Untracked;

    /// <summary>Who tracks the wallet; empty when untracked.</summary>
    public IReadOnlyList<string> Trackers { get; init; } = [];

    /// <summary>The token accounts the wallet owns.</summary>
    public IReadOnlyList<TokenHolding> Holdings { get; init; } = [];

    /// <summary>Transactions recorded since the wallet was first tracked.</summary>
    public long ActivityCount { get; init; }

    /// <summary>When the current tracking began; null when untracked.</summary>
    public DateTimeOffset? TrackedSince { get; init; }

    internal static WalletView From(WalletState state, bool upstreamUp) => new()
    {
        Address = state.Address,
        IsTracked = state.IsTracked,
        Lamports = state.Lamports,
        Slot = state.Lamports is null ? null : state.BalanceSlot,
        Status = state.StatusWith(upstreamUp),
        Trackers = state.Trackers,
        Holdings = state.Holdings,
        ActivityCount = state.ActivityCount,
        TrackedSince = state.TrackedSince,
    };
}

/// <summary>A tracked wallet: its address, status and who tracks it.</summary>
public sealed record TrackedWallet
{
    /// <summary>The wallet's address (base58).</summary>
    public required string Address { get; init; }

    /// <summary>Active or Disconnected (a listed wallet is tracked).</summary>
    public WalletStatus Status { get; init; } = WalletStatus.Active;

    /// <summary>Who tracks the wallet.</summary>
    public IReadOnlyList<string> Trackers { get; init; } = [];
}
