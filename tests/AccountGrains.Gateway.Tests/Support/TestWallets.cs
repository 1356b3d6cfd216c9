using System.Net.Http.Json;
using System.Text.Json;
using AccountGrains.Grains.Ingest.Replay;

namespace AccountGrains.Gateway.Tests.Support;

/// <summary>Builds wallet activity for tests and drives the wallet endpoints.</summary>
public static class TestWallets
{
    public static string NewSignature()
    {
        var bytes = new byte[64];
        Random.Shared.NextBytes(bytes);
        bytes[0] = 1; // no leading zero byte: a full-length signature
        return AccountGrains.Solana.Base58.Encode(bytes);
    }

    /// <summary>A transaction that sent the wallet <paramref name="lamports"/> (and one USDC-like token change).</summary>
    public static WalletActivityEntry Received(string wallet, ulong slot, long lamports, string? signature = null)
    {
        var from = Updates.NewPubkey();
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
            TokenChanges: [new WalletTokenChange("EPjFWdd5AufqSSqeM2qN1xzybapC8G4wEGGkZwyTDt1v", "spl-token", "1500000", 6, "1.5", 1, 0)],
            Counterparties: [new WalletCounterparty(from, null, (-lamports).ToString(System.Globalization.CultureInfo.InvariantCulture))],
            Summary: $"{from[..2]}… sent {lamports} lamports to {wallet[..2]}…",
            PostLamports: null,
            PostHoldings: [],
            ReceivedAt: DateTimeOffset.UtcNow);
    }

    /// <summary>Applies activity and waits until the grain has it (the apply is one-way).</summary>
    public static async Task ApplyAsync(IGrainFactory grains, WalletActivityEntry activity, long expectedCount)
    {
        var wallet = grains.Get<IWalletGrain>(activity.Wallet);
        await wallet.ApplyActivityAsync(activity);
        await Waits.UntilAsync(async () => (await wallet.GetAsync()).ActivityCount >= expectedCount, $"activity {activity.Signature} applied");
    }

    /// <summary>A replay file of <paramref name="lines"/> unrelated updates: paced slowly, it keeps the ingest running (upstream "none", running).</summary>
    public static async Task<string> LongReplayAsync(int lines = 2000)
    {
        var path = Path.Combine(Path.GetTempPath(), $"accountgrains-long-{Guid.NewGuid():N}.jsonl");
        await using var file = File.Create(path);
        for (var i = 1; i <= lines; i++)
        {
            await file.WriteAsync(ReplayLineWriter.ToLine(Updates.SystemAccount(Updates.NewPubkey(), (ulong)i, (ulong)i, 1)));
            file.WriteByte((byte)'\n');
        }

        return path;
    }

    public static Task<HttpResponseMessage> TrackAsync(this EmbeddedGateway gateway, string address, object? body = null) =>
        body is null
            ? gateway.Http.PostAsync($"/v1/wallets/{address}", null)
            : gateway.Http.PostAsJsonAsync($"/v1/wallets/{address}", body);

    public static async Task<JsonElement> JsonAsync(this HttpResponseMessage response)
    {
        using var document = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return document.RootElement.Clone();
    }

    /// <summary>Sends a request on the socket and reads until the message with its id.</summary>
    public static async Task<JsonElement> RequestAsync(this TestSocket socket, string json, string id)
    {
        await socket.SendAsync(json);
        var messages = await socket.ReceiveUntilAsync(m => m.TryGetProperty("id", out var i) && i.GetString() == id);
        return messages[^1];
    }

    public static string[] Trackers(this JsonElement wallet) =>
        [.. wallet.GetProperty("trackers").EnumerateArray().Select(t => t.GetString()!)];
}
