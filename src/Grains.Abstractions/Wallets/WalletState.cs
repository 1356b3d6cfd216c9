namespace AccountGrains;

/// <summary>Whether a wallet is followed, and whether its upstream feed is up.</summary>
public enum WalletStatus
{
    /// <summary>Tracked, and the upstream feed is connected: every change arrives.</summary>
    Active,

    /// <summary>Tracked, but the upstream feed is down or reconnecting: changes arrive once it is back.</summary>
    Disconnected,

    /// <summary>Nobody tracks it: nothing new arrives; what was recorded stays readable.</summary>
    Untracked,
}

/// <summary>
/// What a wallet grain knows. <paramref name="Lamports"/> is null until the wallet's account or a transaction
/// touching it has been seen. <paramref name="Holdings"/> are its token accounts, by token account address.
/// </summary>
/// <param name="Address">The wallet (base58).</param>
/// <param name="Trackers">Who tracks it (API callers name themselves; WebSocket clients default to <c>ws</c>); empty when untracked.</param>
/// <param name="Lamports">SOL balance in lamports (1 SOL = 10^9 lamports).</param>
/// <param name="BalanceSlot">Slot of the newest balance information.</param>
/// <param name="Holdings">Token accounts the wallet owns.</param>
/// <param name="Sinks">Notification sinks of this wallet (on top of the global ones); in views a secret is <see cref="NotificationSink.RedactedSecret"/>.</param>
/// <param name="ActivityCount">Transactions recorded since the wallet was first tracked.</param>
/// <param name="LastActivitySlot">Slot of the newest recorded transaction, 0 when none.</param>
/// <param name="TrackedSince">When the current tracking began; null when untracked.</param>
/// <param name="UpdatedAt">When anything here last changed.</param>
public sealed record WalletState(
    string Address,
    IReadOnlyList<string> Trackers,
    ulong? Lamports,
    ulong BalanceSlot,
    IReadOnlyList<TokenHolding> Holdings,
    IReadOnlyList<NotificationSink> Sinks,
    long ActivityCount,
    ulong LastActivitySlot,
    DateTimeOffset? TrackedSince,
    DateTimeOffset UpdatedAt)
{
    public bool IsTracked => Trackers.Count > 0;

    /// <summary>A wallet nobody has tracked yet.</summary>
    public static WalletState Empty(string address, DateTimeOffset now) => new(address, [], null, 0, [], [], 0, 0, null, now);

    /// <summary>The status given whether the upstream feed is up (<see cref="WalletUpstream.IsUp"/> says).</summary>
    public WalletStatus StatusWith(bool upstreamUp) => !IsTracked ? WalletStatus.Untracked : upstreamUp ? WalletStatus.Active : WalletStatus.Disconnected;
}

/// <summary>
/// One token account a wallet owns. <paramref name="Amount"/> is <paramref name="RawAmount"/> scaled by the mint's
/// <paramref name="Decimals"/> ("212.4"), null while the decimals are unknown.
/// </summary>
public sealed record TokenHolding(
    string TokenAccount,
    string Mint,
    string Program,
    ulong RawAmount,
    int? Decimals,
    string? Amount,
    ulong Slot,
    ulong WriteVersion);

/// <summary>
/// Where notifications of a wallet's activity go: <c>webhook</c> (JSON body, HMAC-SHA256 of it in
/// <c>X-AccountGrains-Signature</c> when <paramref name="Secret"/> is set) or <c>discord</c> (a Discord webhook URL:
/// an embed with the summary and a link to the transaction).
/// </summary>
public sealed record NotificationSink(string Kind, string Url, string? Secret = null)
{
    public const string Webhook = "webhook";
    public const string Discord = "discord";

    /// <summary>Stands for the secret in what grains return: the secret itself never leaves the grain.</summary>
    public const string RedactedSecret = "(redacted)";

    /// <summary>Identity of the sink within a wallet: kind and URL.</summary>
    public string Id => $"{Kind} {Url}";
}

/// <summary>Tracking request: who tracks, and sinks to add to the wallet's.</summary>
public sealed record WalletTrackRequest(string Tracker, IReadOnlyList<NotificationSink> Sinks)
{
    /// <summary>Untracks for everybody.</summary>
    public const string AllTrackers = "*";
}

/// <summary>A page of activity: newest first, older than the transaction <paramref name="Before"/> (a signature) when set.</summary>
public sealed record ActivityQuery(string? Before, int Limit)
{
    public const int MaxLimit = 1000;
}
