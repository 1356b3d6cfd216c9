using System.Globalization;
using AccountGrains.Solana;

namespace AccountGrains.Testing;

/// <summary>Wallet activity for tests, as the ingest's analysis would record it.</summary>
public static class WalletActivities
{
    public const string UsdcMint = "EPjFWdd5AufqSSqeM2qN1xzybapC8G4wEGGkZwyTDt1v";

    /// <summary>A random transaction signature: base58 of 64 bytes.</summary>
    public static string NewSignature()
    {
        var bytes = new byte[64];
        Random.Shared.NextBytes(bytes);
        bytes[0] = 1; // no leading zero byte: a full-length signature
        return Base58.Encode(bytes);
    }

    /// <summary>A transaction in which someone sent the wallet <paramref name="lamports"/> and 1.5 USDC.</summary>
    public static WalletActivityEntry Received(string wallet, ulong slot, long lamports, string? signature = null)
    {
        var bytes = new byte[32];
        Random.Shared.NextBytes(bytes);
        var from = Base58.Encode(bytes);
        return new WalletActivityEntry(
            wallet,
            signature ?? NewSignature(),
            slot,
            1_700_000_000 + (long)slot,
            Succeeded: true,
            Error: null,
            Fee: 5000,
            PaidFee: false,
            SolChange: lamports,
            SolTransferred: lamports,
            TokenChanges: [new WalletTokenChange(UsdcMint, "spl-token", "1500000", 6, "1.5", 1, 0)],
            Counterparties: [new WalletCounterparty(from, null, (-lamports).ToString(CultureInfo.InvariantCulture))],
            Summary: $"{from[..4]}… sent {lamports} lamports to {wallet[..4]}…",
            PostLamports: null,
            PostHoldings: [],
            ReceivedAt: DateTimeOffset.UtcNow);
    }
}
