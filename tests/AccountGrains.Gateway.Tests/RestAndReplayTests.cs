using System.Net;
using System.Text.Json;
using AccountGrains.Gateway.Tests.Support;

namespace AccountGrains.Gateway.Tests;

/// <summary>The whole embedded path: sample replay → ingest → grains → SQLite → REST and WebSocket.</summary>
public sealed class RestAndReplayTests
{
    private static string SamplePath => Path.Combine(AppContext.BaseDirectory, "samples", "sample.jsonl");

    private static Dictionary<string, JsonElement> Expected()
    {
        using var document = JsonDocument.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "samples", "sample.expected.json")));
        return document.RootElement.EnumerateObject().ToDictionary(p => p.Name, p => p.Value.Clone());
    }

    [Fact]
    public async Task After_the_sample_replay_every_account_equals_its_newest_update()
    {
        await using var gateway = await EmbeddedGateway.StartAsync(replayPath: SamplePath);
        var status = await gateway.WaitForIngestToCompleteAsync(TimeSpan.FromSeconds(30));
        status.LastError.Should().BeNull();
        status.RecordsRejected.Should().Be(0);
        status.UpdatesRead.Should().Be(File.ReadLines(SamplePath).Count(l => l.Trim().Length > 0));

        var expected = Expected();
        expected.Should().NotBeEmpty();
        foreach (var (pubkey, want) in expected)
        {
            var account = await gateway.GetJsonAsync($"/v1/accounts/{pubkey}");
            account.GetProperty("slot").GetUInt64().Should().Be(want.GetProperty("slot").GetUInt64(), pubkey);
            account.GetProperty("write_version").GetUInt64().Should().Be(want.GetProperty("write_version").GetUInt64(), pubkey);
            account.GetProperty("lamports").GetUInt64().Should().Be(want.GetProperty("lamports").GetUInt64(), pubkey);
            account.GetProperty("owner").GetString().Should().Be(want.GetProperty("owner").GetString(), pubkey);
            account.GetProperty("account_type").GetString().Should().NotBe("unknown", $"{pubkey} should decode");
        }
    }

    [Fact]
    public async Task The_closed_account_in_the_sample_ends_closed_and_the_stale_resend_does_not_revive_it()
    {
        await using var gateway = await EmbeddedGateway.StartAsync(replayPath: SamplePath);
        await gateway.WaitForIngestToCompleteAsync(TimeSpan.FromSeconds(30));
        var closed = Expected().Where(e => e.Value.GetProperty("lamports").GetUInt64() == 0).Select(e => e.Key).ToList();
        closed.Should().NotBeEmpty("the sample closes an account");
        foreach (var pubkey in closed)
        {
            var account = await gateway.GetJsonAsync($"/v1/accounts/{pubkey}");
            account.GetProperty("closed").GetBoolean().Should().BeTrue();
            account.GetProperty("lamports").GetUInt64().Should().Be(0);
            account.GetProperty("account_type").GetString().Should().Be("system_account");
        }
    }

    [Fact]
    public async Task State_survives_a_restart_of_the_gateway()
    {
        var database = Path.Combine(Path.GetTempPath(), $"accountgrains-replay-{Guid.NewGuid():N}.db");
        await using (var first = await EmbeddedGateway.StartAsync(replayPath: SamplePath, databasePath: database))
        {
            await first.WaitForIngestToCompleteAsync(TimeSpan.FromSeconds(30));
        }

        var empty = Path.Combine(Path.GetTempPath(), $"accountgrains-empty-{Guid.NewGuid():N}.jsonl");
        await File.WriteAllTextAsync(empty, string.Empty);
        await using var second = await EmbeddedGateway.StartAsync(replayPath: empty, databasePath: database);
        foreach (var (pubkey, want) in Expected())
        {
            var account = await second.GetJsonAsync($"/v1/accounts/{pubkey}");
            account.GetProperty("write_version").GetUInt64().Should().Be(want.GetProperty("write_version").GetUInt64(), pubkey);
        }
    }

    [Fact]
    public async Task A_websocket_subscriber_sees_a_moving_account_in_slot_order_during_a_paced_replay()
    {
        var expected = Expected();
        var busiest = File.ReadLines(SamplePath)
            .Select(l => JsonDocument.Parse(l).RootElement.GetProperty("pubkey").GetString()!)
            .GroupBy(p => p).OrderByDescending(g => g.Count()).First().Key;
        await using var gateway = await EmbeddedGateway.StartAsync(replayPath: SamplePath, updatesPerSecond: 2000);
        await using var socket = await gateway.ConnectAsync();
        await socket.SendAsync($$"""{"action":"subscribe","pubkey":"{{busiest}}"}""");
        var finalVersion = expected[busiest].GetProperty("write_version").GetUInt64();
        var messages = await socket.ReceiveUntilAsync(
            m => m.GetProperty("account").ValueKind == JsonValueKind.Object && m.GetProperty("account").GetProperty("write_version").GetUInt64() == finalVersion,
            TimeSpan.FromSeconds(30));
        var tokens = messages.Where(m => m.GetProperty("account").ValueKind == JsonValueKind.Object)
            .Select(m => new StreamToken(m.GetProperty("account").GetProperty("slot").GetUInt64(), m.GetProperty("account").GetProperty("write_version").GetUInt64()))
            .ToList();
        tokens.Should().BeInAscendingOrder();
        messages.Skip(1).Should().OnlyContain(m => m.GetProperty("source").GetString() == "realtime");
    }

    [Fact]
    public async Task Rest_answers_400_for_an_invalid_pubkey_and_404_for_an_unknown_account()
    {
        await using var gateway = await EmbeddedGateway.StartAsync();
        var invalid = await gateway.Http.GetAsync("/v1/accounts/not-base58!");
        invalid.StatusCode.Should().Be(HttpStatusCode.BadRequest);
        var invalidBody = JsonDocument.Parse(await invalid.Content.ReadAsStringAsync()).RootElement;
        invalidBody.GetProperty("error").GetProperty("code").GetString().Should().Be("invalid_pubkey");

        var unknown = await gateway.Http.GetAsync($"/v1/accounts/{Updates.NewPubkey()}");
        unknown.StatusCode.Should().Be(HttpStatusCode.NotFound);
        JsonDocument.Parse(await unknown.Content.ReadAsStringAsync()).RootElement
            .GetProperty("error").GetProperty("code").GetString().Should().Be("account_not_found");
    }

    [Fact]
    public async Task Healthz_is_healthy_and_reports_unhealthy_when_the_replay_file_is_missing()
    {
        await using (var healthy = await EmbeddedGateway.StartAsync())
        {
            (await healthy.Http.GetAsync("/healthz")).StatusCode.Should().Be(HttpStatusCode.OK);
        }

        await using var broken = await EmbeddedGateway.StartAsync(replayPath: "/nonexistent/updates.jsonl");
        var status = await broken.WaitForIngestToCompleteAsync(TimeSpan.FromSeconds(10));
        status.LastError.Should().Contain("does not exist");
        (await broken.Http.GetAsync("/healthz")).StatusCode.Should().Be(HttpStatusCode.ServiceUnavailable);
    }
}
