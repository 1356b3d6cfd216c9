namespace AccountGrains.Client.Cluster;

/// <summary>
/// What the cluster knows about a wallet today: whether the ingest tracks it and the SOL balance of its own account.
/// <para>
/// It grows with the wallet grain (issue 6: tracking status and who tracks it, token holdings, activity). New
/// information arrives as new properties; the ones here keep their meaning, so code written against this view keeps
/// working. Properties rather than a positional record for that reason.
/// </para>
/// </summary>
public sealed record WalletView
{
    /// <summary>The wallet's address (base58), as asked for.</summary>
    public required string Address { get; init; }

    /// <summary>The wallet is in the ingest's interest set: its account, token accounts and transactions are followed upstream.</summary>
    public required bool IsTracked { get; init; }

    /// <summary>The SOL balance in lamports (1 SOL = 10^9 lamports) of the wallet's own account; null when nothing is known about that account yet.</summary>
    public ulong? Lamports { get; init; }

    /// <summary>The slot of the account state <see cref="Lamports"/> comes from; null with it.</summary>
    public ulong? Slot { get; init; }
}

/// <summary>A wallet in the ingest's interest set. More about it (status, who tracks it) comes with the wallet grain (issue 6).</summary>
public sealed record TrackedWallet
{
    /// <summary>The wallet's address (base58).</summary>
    public required string Address { get; init; }
}
