namespace AccountGrains.Runtime.Tests.Storage;

/// <summary>Wallet states, activity and dead letters for storage tests. Addresses are unique per call so tests can share one database.</summary>
internal static class TestWallets
{
    public static readonly DateTimeOffset At = new(2025, 3, 4, 5, 6, 7, TimeSpan.FromHours(2));

    public static string NewAddress() => "Wallet" + Guid.NewGuid().ToString("N");

    public static TokenHolding Holding(string tokenAccount, ulong rawAmount, int? decimals) =>
        new(tokenAccount, "DezXAZ8z7PnrnRJjz3wXBoRgixCa6xjnB7YaB1pPB263", "TokenkegQfeZyiNwAJbNbGKPFXCWuBvf9Ss623VQ5DA",
            rawAmount, decimals, decimals is null ? null : "1.5", 321, 9_876_543_210);

    /// <summary>A tracked wallet with every field set: holdings, sinks (one with a secret), a balance.</summary>
    public static WalletState Tracked(string address) =>
        new(
            Address: address,
            Trackers: ["api-user", "ws"],
            Lamports: 9_000_000_000_000_000_000,
            BalanceSlot: 312_456_789,
            Holdings: [Holding("TokAcct" + address, 1_500_000, 6), Holding("Tok2Acct" + address, ulong.MaxValue, null)],
            Sinks: [new NotificationSink(NotificationSink.Webhook, "https://example.test/hook?a=1&b=ü", "s3cret-hmac-key"), new NotificationSink(NotificationSink.Discord, "https://discord.test/api/webhooks/1/x")],
            ActivityCount: 42,
            LastActivitySlot: 312_456_700,
            TrackedSince: At.AddTicks(1_234_567),
            UpdatedAt: At.AddDays(1).AddTicks(7));

    public static WalletActivityEntry Activity(string wallet, string signature, ulong slot) =>
        new(
            Wallet: wallet,
            Signature: signature,
            Slot: slot,
            BlockTime: 1_741_000_000 + (long)slot,
            Succeeded: true,
            Error: null,
            Fee: 5_000,
            PaidFee: true,
            SolChange: -50_000_005_000,
            SolTransferred: -50_000_000_000,
            TokenChanges: [new WalletTokenChange("DezXAZ8z7PnrnRJjz3wXBoRgixCa6xjnB7YaB1pPB263", "TokenkegQfeZyiNwAJbNbGKPFXCWuBvf9Ss623VQ5DA", "-1500000", 6, "-1.5", 0, 1)],
            Counterparties: [new WalletCounterparty("3KzVpQ" + signature, null, "50000000000"), new WalletCounterparty("9xQe" + signature, "DezXAZ8z7PnrnRJjz3wXBoRgixCa6xjnB7YaB1pPB263", "1500000")],
            Summary: $"{wallet} sent 50 SOL ({signature})",
            PostLamports: 1_000_000,
            PostHoldings: [Holding("TokAcct" + wallet, 0, 6)],
            ReceivedAt: At.AddMilliseconds(slot).AddTicks(3));

    public static NotificationDeadLetter DeadLetter(string wallet, string signature) =>
        new(
            Sink: "webhook https://example.test/hook",
            Wallet: wallet,
            Signature: signature,
            Attempts: 5,
            LastError: $"503 Service Unavailable for {signature}",
            Payload: $"{{\"signature\":\"{signature}\",\"text\":\"ünïcödé\"}}",
            FailedAt: DateTimeOffset.FromUnixTimeMilliseconds(1_741_234_567_890));
}
