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
            account.GetProperty("account_type").GetString().Should().Be(want.GetProperty("account_type").GetString(), pubkey);
            account.GetProperty("program").GetString().Should().Be(want.GetProperty("program").GetString(), pubkey);
            account.TryGetProperty("decode_error", out _).Should().BeFalse(pubkey);
            if (want.TryGetProperty("sqrt_price", out var sqrtPrice))
            {
                account.GetProperty("data_json").GetProperty("sqrt_price").GetString().Should().Be(sqrtPrice.GetString(), pubkey);
            }
        }
    }

    [Fact]
    public async Task The_sample_shows_a_damm_v2_pool_priced_in_usdc_and_a_token_2022_mint_with_its_extensions()
    {
        await using var gateway = await EmbeddedGateway.StartAsync(replayPath: SamplePath);
        await gateway.WaitForIngestToCompleteAsync(TimeSpan.FromSeconds(30));

        // SOL/USDC: the generator's final price is 153.4811 USDC per SOL; wSOL (9) and USDC (6) mints precede the pool.
        var pool = await gateway.GetJsonAsync("/v1/accounts/CjWKjVvRCLEzrPDnVTsymobbr1x9hHr9pNiWi4DVzHqS");
        pool.GetProperty("account_type").GetString().Should().Be("pool");
        var derived = pool.GetProperty("data_json").GetProperty("derived");
        derived.GetProperty("token_a_decimals").GetInt32().Should().Be(9);
        derived.GetProperty("token_b_decimals").GetInt32().Should().Be(6);
        decimal.Parse(derived.GetProperty("price_adjusted").GetString()!, System.Globalization.CultureInfo.InvariantCulture)
            .Should().BeApproximately(153.4811m, 0.0001m);
        derived.GetProperty("base_fee_percent").GetString().Should().Be("0.25");

        var pyusd = await gateway.GetJsonAsync("/v1/accounts/2b1kV6DkPAnxd5ixfnxCpjxmKwqjjaYmCZfHsFu24GXo");
        pyusd.GetProperty("program").GetString().Should().Be("spl-token-2022");
        pyusd.GetProperty("account_type").GetString().Should().Be("mint");
        var extensions = pyusd.GetProperty("data_json").GetProperty("extensions");
        extensions.GetProperty("token_metadata").GetProperty("name").GetString().Should().Be("PayPal USD");
        extensions.GetProperty("token_metadata").GetProperty("symbol").GetString().Should().Be("PYUSD");
        extensions.GetProperty("transfer_fee_config").GetProperty("newer_transfer_fee").GetProperty("transfer_fee_basis_points").GetInt32().Should().Be(10);
        extensions.EnumerateObject().Select(e => e.Name).Should().Contain(["mint_close_authority", "permanent_delegate", "transfer_hook", "metadata_pointer"]);
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

    [Fact]
    public async Task Metrics_are_served_in_the_prometheus_text_format_and_count_what_happened()
    {
        await using var gateway = await EmbeddedGateway.StartAsync();
        var pubkey = Updates.NewPubkey();
        var account = gateway.Grains.Get<IAccountGrain>(pubkey);
        await account.ApplyAndReportAsync(Updates.SystemAccount(pubkey, 5, 5, 5));
        await account.ApplyAndReportAsync(Updates.SystemAccount(pubkey, 5, 5, 5));
        await account.ApplyAndReportAsync(Updates.SystemAccount(pubkey, 4, 4, 4));
        await using var socket = await gateway.ConnectAsync();
        await socket.SendAsync("{\"action\":\"subscribe\",\"pubkey\":\"bad\"}");
        await socket.ReceiveAsync();

        var response = await gateway.Http.GetAsync("/metrics");
        response.StatusCode.Should().Be(HttpStatusCode.OK);
        response.Content.Headers.ContentType!.MediaType.Should().Be("text/plain");
        var lines = (await response.Content.ReadAsStringAsync()).Split('\n');
        lines.Should().Contain("# TYPE accountgrains_updates_applied_total counter");
        lines.Should().Contain("accountgrains_updates_applied_total{program=\"system\"} 1");
        lines.Should().Contain("accountgrains_updates_dropped_total{reason=\"duplicate\"} 1");
        lines.Should().Contain("accountgrains_updates_dropped_total{reason=\"stale\"} 1");
        lines.Should().Contain("accountgrains_gateway_errors_sent_total{code=\"invalid_pubkey\"} 1");
        lines.Should().Contain("accountgrains_gateway_connections 1");
        lines.Should().Contain(l => l.StartsWith("accountgrains_activations_active ", StringComparison.Ordinal));
        lines.Should().Contain("# TYPE accountgrains_storage_batch_duration_seconds histogram");
        lines.Should().Contain(l => l.StartsWith("accountgrains_storage_batch_duration_seconds_bucket{le=\"+Inf\"} ", StringComparison.Ordinal));
    }
}
