using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using AccountGrains.Grains.Notifications;

namespace AccountGrains.Grains.Tests.Notifications;

public sealed class PayloadTests
{
    private const string Secret = "s3cret-key";

    [Fact]
    public async Task Webhook_body_carries_the_documented_fields_and_a_signature_that_verifies_with_the_secret_only()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        await using var harness = await NotificationHarness.StartAsync(o =>
            o.Sinks.Add(new NotificationSinkOptions { Kind = "webhook", Url = receiver.Url("/hook"), Secret = Secret }));

        harness.Dispatcher.Enqueue(TestActivity.Of(NotificationHarness.WalletA, "SigOne"), []).Should().BeTrue();
        await receiver.WaitForAcceptedAsync("/hook", 1);

        var request = receiver.Accepted("/hook")[0];
        request.Header("Content-Type").Should().Be("application/json");
        request.Header("X-AccountGrains-Delivery").Should().NotBeNullOrEmpty();
        var signature = request.Header("X-AccountGrains-Signature");
        signature.Should().Be("sha256=" + Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(Secret), request.Body)));
        signature.Should().NotBe("sha256=" + Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes("wrong"), request.Body)));

        using var json = JsonDocument.Parse(request.Body);
        var root = json.RootElement;
        root.EnumerateObject().Select(p => p.Name).Should().Equal(
            "type", "wallet", "signature", "slot", "block_time", "succeeded", "error", "fee", "paid_fee", "sol_change", "sol_transferred",
            "token_changes", "counterparties", "summary", "url");
        root.GetProperty("type").GetString().Should().Be("wallet.activity");
        root.GetProperty("wallet").GetString().Should().Be(NotificationHarness.WalletA);
        root.GetProperty("signature").GetString().Should().Be("SigOne");
        root.GetProperty("slot").GetUInt64().Should().Be(250_000_123);
        root.GetProperty("block_time").GetInt64().Should().Be(1_700_000_000);
        root.GetProperty("succeeded").GetBoolean().Should().BeTrue();
        root.GetProperty("error").ValueKind.Should().Be(JsonValueKind.Null);
        root.GetProperty("fee").GetUInt64().Should().Be(5000);
        root.GetProperty("sol_change").GetInt64().Should().Be(-50_000_005_000);
        root.GetProperty("sol_transferred").GetInt64().Should().Be(-50_000_000_000);
        var token = root.GetProperty("token_changes").EnumerateArray().Single();
        token.EnumerateObject().Select(p => p.Name).Should().Equal("mint", "program", "raw_change", "decimals", "amount", "accounts_created", "accounts_closed");
        token.GetProperty("raw_change").GetString().Should().Be("-1500000");
        token.GetProperty("amount").GetString().Should().Be("-1.5");
        token.GetProperty("accounts_closed").GetInt32().Should().Be(1);
        var counterparty = root.GetProperty("counterparties").EnumerateArray().Single();
        counterparty.EnumerateObject().Select(p => p.Name).Should().Equal("address", "mint", "raw_change");
        counterparty.GetProperty("raw_change").GetString().Should().Be("50000000000");
        root.GetProperty("summary").GetString().Should().Be("5F…jJM6 sent 50 SOL to 3K…tXkQ");
        root.GetProperty("url").GetString().Should().Be("https://solscan.io/tx/SigOne");
    }

    [Fact]
    public async Task Webhook_without_secret_is_sent_unsigned_and_links_through_the_configured_template()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        await using var harness = await NotificationHarness.StartAsync(o => o.TransactionUrl = "https://explorer.example/tx/{signature}?cluster=devnet");

        harness.Dispatcher.Enqueue(TestActivity.Of(NotificationHarness.WalletA, "SigTwo"), [new NotificationSink("webhook", receiver.Url("/plain"))]);
        await receiver.WaitForAcceptedAsync("/plain", 1);

        var request = receiver.Accepted("/plain")[0];
        request.Header("X-AccountGrains-Signature").Should().BeNull();
        using var json = JsonDocument.Parse(request.Body);
        json.RootElement.GetProperty("url").GetString().Should().Be("https://explorer.example/tx/SigTwo?cluster=devnet");
    }

    [Fact]
    public async Task Discord_sink_gets_one_embed_with_summary_link_details_colour_and_time()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        await using var harness = await NotificationHarness.StartAsync();

        var failed = TestActivity.Of(NotificationHarness.WalletA, "SigFail", succeeded: false, error: "insufficient funds");
        harness.Dispatcher.Enqueue(failed, [new NotificationSink("discord", receiver.Url("/api/webhooks/1/token"), Secret: "ignored")]);
        await receiver.WaitForAcceptedAsync("/api/webhooks/1/token", 1);

        var request = receiver.Accepted("/api/webhooks/1/token")[0];
        request.Header("X-AccountGrains-Signature").Should().BeNull("Discord does not check signatures");
        using var json = JsonDocument.Parse(request.Body);
        json.RootElement.EnumerateObject().Select(p => p.Name).Should().Equal("embeds");
        var embed = json.RootElement.GetProperty("embeds").EnumerateArray().Single();
        embed.GetProperty("title").GetString().Should().Be("5F…jJM6 sent 50 SOL to 3K…tXkQ");
        embed.GetProperty("url").GetString().Should().Be("https://solscan.io/tx/SigFail");
        embed.GetProperty("color").GetInt32().Should().Be(0xE74C3C);
        embed.GetProperty("timestamp").GetString().Should().Be("2023-11-14T22:13:20Z");
        embed.GetProperty("footer").GetProperty("text").GetString().Should().Be("AccountGrains");
        var description = embed.GetProperty("description").GetString();
        description.Should().Contain("failed (insufficient funds)")
            .And.Contain("0.000005 SOL")
            .And.Contain("-50.000005 SOL")
            .And.Contain("-1.5 `EPjFWdd5AufqSSqeM2qN1xzybapC8G4wEGGkZwyTDt1v`");
    }

    [Fact]
    public void Discord_embed_is_cut_to_Discords_limits_and_marks_success_in_green()
    {
        var summary = new string('x', 300);
        var manyTokens = Enumerable.Range(0, 40).Select(i => new WalletTokenChange($"Mint{i}", null, "1", 0, "1", 0, 0)).ToList();
        var activity = TestActivity.Of(NotificationHarness.WalletA, "SigLong", summary: summary, tokenChanges: manyTokens, blockTime: null) with
        {
            Error = new string('e', 5000),
            Succeeded = false,
        };

        using var json = JsonDocument.Parse(DiscordPayload.Create(activity, "https://solscan.io/tx/SigLong"));
        var embed = json.RootElement.GetProperty("embeds")[0];
        var title = embed.GetProperty("title").GetString()!;
        title.Length.Should().Be(256);
        title.Should().EndWith("…").And.StartWith("xxxx");
        var description = embed.GetProperty("description").GetString()!;
        description.Length.Should().Be(4096);
        description.Should().EndWith("…");
        embed.TryGetProperty("timestamp", out _).Should().BeFalse("the block time is unknown");

        var ok = TestActivity.Of(NotificationHarness.WalletA, "SigOk", tokenChanges: manyTokens);
        using var okJson = JsonDocument.Parse(DiscordPayload.Create(ok, "https://solscan.io/tx/SigOk"));
        var okEmbed = okJson.RootElement.GetProperty("embeds")[0];
        okEmbed.GetProperty("color").GetInt32().Should().Be(0x2ECC71);
        var lines = okEmbed.GetProperty("description").GetString()!.Split('\n');
        lines.Count(l => l.StartsWith("• +1 `Mint", StringComparison.Ordinal)).Should().Be(DiscordPayload.MaxTokenLines);
        lines[^1].Should().Be("• … and 30 more");
    }

    [Fact]
    public void Cutting_never_splits_a_surrogate_pair()
    {
        var text = new string('a', 254) + "😀😀";
        var cut = DiscordPayload.Fit(text, 256);
        cut.Length.Should().BeLessThanOrEqualTo(256);
        cut.Should().Be(new string('a', 254) + "…");
    }
}
