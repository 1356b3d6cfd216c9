namespace AccountGrains.Grains.Notifications;

/// <summary>
/// Where and how wallet activity notifications go, bound from <c>AccountGrains:Notifications</c>. Wallets carry their
/// own sinks (<see cref="WalletState.Sinks"/>); the sinks here come on top, for every wallet or for the listed ones.
/// </summary>
public sealed class NotificationOptions
{
    public const string SectionName = "AccountGrains:Notifications";

    public const int DefaultMaxAttempts = 6;
    public const int DefaultQueueCapacity = 10_000;
    public const string DefaultTransactionUrl = "https://solscan.io/tx/{signature}";

    /// <summary>The placeholder of <see cref="TransactionUrl"/> replaced by the transaction's signature.</summary>
    public const string SignaturePlaceholder = "{signature}";

    public static readonly TimeSpan DefaultInitialBackoff = TimeSpan.FromSeconds(1);
    public static readonly TimeSpan DefaultMaxBackoff = TimeSpan.FromSeconds(60);
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(10);
    public static readonly TimeSpan DefaultDrainTimeout = TimeSpan.FromSeconds(10);
    public static readonly TimeSpan DefaultSinkIdleTimeout = TimeSpan.FromMinutes(10);

    /// <summary>Off: nothing is sent, not even to wallets' own sinks. Default on.</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>Sinks every wallet's activity (or the listed wallets' activity) goes to.</summary>
    public List<NotificationSinkOptions> Sinks { get; set; } = [];

    /// <summary>Deliveries tried per notification and sink before it becomes a dead letter. Default 6.</summary>
    public int MaxAttempts { get; set; } = DefaultMaxAttempts;

    /// <summary>Wait before the first retry; doubled for each further one (with jitter), up to <see cref="MaxBackoff"/>. Default 1 s.</summary>
    public TimeSpan InitialBackoff { get; set; } = DefaultInitialBackoff;

    /// <summary>Longest wait between two attempts, a receiver's <c>Retry-After</c> included. Default 60 s.</summary>
    public TimeSpan MaxBackoff { get; set; } = DefaultMaxBackoff;

    /// <summary>How long one delivery may take before it counts as failed (and is retried). Default 10 s.</summary>
    public TimeSpan Timeout { get; set; } = DefaultTimeout;

    /// <summary>Notifications waiting per sink; beyond it a notification becomes a dead letter at once. Default 10,000.</summary>
    public int QueueCapacity { get; set; } = DefaultQueueCapacity;

    /// <summary>Link to a transaction in payloads; <c>{signature}</c> is replaced. Default Solscan.</summary>
    public string TransactionUrl { get; set; } = DefaultTransactionUrl;

    /// <summary>On shutdown, how long queued notifications may still go out; what is left then becomes dead letters. Default 10 s.</summary>
    public TimeSpan DrainTimeout { get; set; } = DefaultDrainTimeout;

    /// <summary>A sink with nothing queued for this long releases its queue (it comes back with its next notification). Default 10 min.</summary>
    public TimeSpan SinkIdleTimeout { get; set; } = DefaultSinkIdleTimeout;

    /// <summary>The link to <paramref name="signature"/>.</summary>
    public string TransactionLink(string signature) =>
        TransactionUrl.Replace(SignaturePlaceholder, Uri.EscapeDataString(signature), StringComparison.Ordinal);
}

/// <summary>One configured sink: <c>AccountGrains:Notifications:Sinks:&lt;n&gt;</c>.</summary>
public sealed class NotificationSinkOptions
{
    /// <summary><c>webhook</c> or <c>discord</c>.</summary>
    public string Kind { get; set; } = NotificationSink.Webhook;

    /// <summary>Absolute http(s) URL. Discord webhook URLs hold a token: treat them as secrets.</summary>
    public string Url { get; set; } = string.Empty;

    /// <summary>Webhook only: the HMAC-SHA256 key of <c>X-AccountGrains-Signature</c>; none, no signature.</summary>
    public string? Secret { get; set; }

    /// <summary>Wallet addresses (base58) whose activity goes here; empty for every wallet.</summary>
    public List<string> Wallets { get; set; } = [];

    internal NotificationSink ToSink() => new(Kind, Url, string.IsNullOrEmpty(Secret) ? null : Secret);

    internal bool Covers(string wallet) => Wallets.Count == 0 || Wallets.Contains(wallet, StringComparer.Ordinal);
}
