using System.Net.Http.Json;
using System.Text.Json;
using AccountGrains.Grains.Ingest.Replay;

namespace AccountGrains.Gateway.Tests.Support;

/// <summary>Drives wallets in the embedded gateway: applying activity, a long replay, the wallet endpoints (activity comes from <see cref="WalletActivities"/>).</summary>
public static class TestWallets
{
    /// <summary>
    /// A gateway whose empty replay has ended (so a tracked wallet is <c>disconnected</c>) with a cap of
    /// <paramref name="maxTracked"/> tracked wallets.
    /// </summary>
    public static async Task<EmbeddedGateway> StartIdleAsync(int maxTracked = 2)
    {
        var gateway = await EmbeddedGateway.StartAsync(settings: new Dictionary<string, string?>
        {
            ["AccountGrains:Wallets:MaxTracked"] = maxTracked.ToString(System.Globalization.CultureInfo.InvariantCulture),
        });
        await gateway.WaitForIngestToCompleteAsync(Waits.Generous);
        return gateway;
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
