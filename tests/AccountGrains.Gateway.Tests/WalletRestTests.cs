using System.Net;
using System.Text.Json;
using AccountGrains.Gateway.Tests.Support;

namespace AccountGrains.Gateway.Tests;

/// <summary>The wallet endpoints over real HTTP against the embedded gateway on SQLite.</summary>
public sealed class WalletRestTests : IAsyncLifetime
{
    private EmbeddedGateway _gateway = null!;

    // The empty replay has ended: the upstream is down, so a tracked wallet is "disconnected". At most 2 wallets.
    public async Task InitializeAsync() => _gateway = await TestWallets.StartIdleAsync();

    public async Task DisposeAsync() => await _gateway.DisposeAsync();

    [Fact]
    public async Task Post_tracks_with_201_then_200_and_get_and_list_show_the_wallet()
    {
        var address = Updates.NewPubkey();

        var created = await _gateway.TrackAsync(address);
        created.StatusCode.Should().Be(HttpStatusCode.Created);
        var wallet = await created.JsonAsync();
        wallet.GetProperty("address").GetString().Should().Be(address);
        wallet.Trackers().Should().Equal("api");
        wallet.GetProperty("status").GetString().Should().Be("disconnected");

        var again = await _gateway.TrackAsync(address, new { tracker = "billing", sinks = new[] { new { kind = "discord", url = "https://discord.example/api/webhooks/1/x" } } });
        again.StatusCode.Should().Be(HttpStatusCode.OK);
        var both = await again.JsonAsync();
        both.Trackers().Should().BeEquivalentTo("api", "billing");
        both.GetProperty("sinks")[0].GetProperty("kind").GetString().Should().Be("discord");
        both.GetProperty("sinks")[0].GetProperty("has_secret").GetBoolean().Should().BeFalse();
        both.GetProperty("sinks")[0].GetProperty("url").GetString().Should().Be("https://discord.example:443", "a Discord URL holds its token: views show scheme, host and port");

        var read = await _gateway.GetJsonAsync($"/v1/wallets/{address}");
        read.Trackers().Should().BeEquivalentTo("api", "billing");
        var list = await _gateway.GetJsonAsync("/v1/wallets");
        list.GetProperty("wallets").EnumerateArray().Should().ContainSingle(w => w.GetProperty("address").GetString() == address)
            .Which.GetProperty("status").GetString().Should().Be("disconnected");
    }

    [Fact]
    public async Task Delete_with_a_tracker_keeps_the_others_and_without_one_untracks_for_everybody()
    {
        var address = Updates.NewPubkey();
        (await _gateway.TrackAsync(address, new { tracker = "a" })).EnsureSuccessStatusCode();
        (await _gateway.TrackAsync(address, new { tracker = "b" })).EnsureSuccessStatusCode();

        var one = await _gateway.Http.DeleteAsync($"/v1/wallets/{address}?tracker=a");
        one.StatusCode.Should().Be(HttpStatusCode.OK);
        (await one.JsonAsync()).Trackers().Should().Equal("b");

        var all = await _gateway.Http.DeleteAsync($"/v1/wallets/{address}");
        all.StatusCode.Should().Be(HttpStatusCode.OK);
        var untracked = await all.JsonAsync();
        untracked.Trackers().Should().BeEmpty();
        untracked.GetProperty("status").GetString().Should().Be("untracked");
        (await _gateway.GetJsonAsync("/v1/wallets")).GetProperty("wallets").EnumerateArray()
            .Should().NotContain(w => w.GetProperty("address").GetString() == address);
    }

    [Fact]
    public async Task A_wallet_never_tracked_is_404_wallet_not_found()
    {
        var address = Updates.NewPubkey();

        var get = await _gateway.Http.GetAsync($"/v1/wallets/{address}");
        get.StatusCode.Should().Be(HttpStatusCode.NotFound);
        (await get.JsonAsync()).GetProperty("error").GetProperty("code").GetString().Should().Be("wallet_not_found");

        var delete = await _gateway.Http.DeleteAsync($"/v1/wallets/{address}");
        delete.StatusCode.Should().Be(HttpStatusCode.NotFound);
        (await delete.JsonAsync()).GetProperty("error").GetProperty("code").GetString().Should().Be("wallet_not_found");
    }

    [Theory]
    [InlineData("0OIl0OIl0OIl0OIl0OIl0OIl0OIl0OIl", "not valid base58")]
    [InlineData("abc", "decodes to 3 bytes; a pubkey is 32 bytes")]
    public async Task Invalid_addresses_are_400_invalid_address_with_the_reason(string address, string reason)
    {
        foreach (var response in new[]
        {
            await _gateway.TrackAsync(address),
            await _gateway.Http.DeleteAsync($"/v1/wallets/{address}"),
            await _gateway.Http.GetAsync($"/v1/wallets/{address}"),
            await _gateway.Http.GetAsync($"/v1/wallets/{address}/activity"),
        })
        {
            response.StatusCode.Should().Be(HttpStatusCode.BadRequest);
            var error = (await response.JsonAsync()).GetProperty("error");
            error.GetProperty("code").GetString().Should().Be("invalid_address");
            error.GetProperty("message").GetString().Should().Contain(reason);
        }
    }

    [Fact]
    public async Task A_bad_body_or_sink_is_400_invalid_request()
    {
        var address = Updates.NewPubkey();
        using var notJson = new StringContent("{tracker:", System.Text.Encoding.UTF8, "application/json");
        var malformed = await _gateway.Http.PostAsync($"/v1/wallets/{address}", notJson);
        malformed.StatusCode.Should().Be(HttpStatusCode.BadRequest);
        (await malformed.JsonAsync()).GetProperty("error").GetProperty("code").GetString().Should().Be("invalid_request");

        var badSink = await _gateway.TrackAsync(address, new { sinks = new[] { new { kind = "webhook", url = "ftp://files.example" } } });
        badSink.StatusCode.Should().Be(HttpStatusCode.BadRequest);
        var error = (await badSink.JsonAsync()).GetProperty("error");
        error.GetProperty("code").GetString().Should().Be("invalid_request");
        error.GetProperty("message").GetString().Should().Contain("is not an absolute http or https URL");
        (await _gateway.Http.GetAsync($"/v1/wallets/{address}")).StatusCode.Should().Be(HttpStatusCode.NotFound, "nothing was tracked");
    }

    [Fact]
    public async Task Past_the_cap_post_is_409_wallet_limit()
    {
        (await _gateway.TrackAsync(Updates.NewPubkey())).StatusCode.Should().Be(HttpStatusCode.Created);
        (await _gateway.TrackAsync(Updates.NewPubkey())).StatusCode.Should().Be(HttpStatusCode.Created);

        var refused = await _gateway.TrackAsync(Updates.NewPubkey());

        refused.StatusCode.Should().Be(HttpStatusCode.Conflict);
        var error = (await refused.JsonAsync()).GetProperty("error");
        error.GetProperty("code").GetString().Should().Be("wallet_limit");
        error.GetProperty("message").GetString().Should().Contain("AccountGrains:Wallets:MaxTracked");
    }

    [Fact]
    public async Task Activity_pages_newest_first_with_before_and_limit()
    {
        var address = Updates.NewPubkey();
        (await _gateway.TrackAsync(address)).EnsureSuccessStatusCode();
        var entries = new List<WalletActivityEntry>();
        for (ulong slot = 1; slot <= 5; slot++)
        {
            var entry = WalletActivities.Received(address, slot * 10, (long)slot);
            entries.Add(entry);
            await TestWallets.ApplyAsync(_gateway.Grains, entry, expectedCount: (long)slot);
        }

        var newestFirst = entries.AsEnumerable().Reverse().Select(e => e.Signature).ToList();
        var pages = new List<string>();
        string? before = null;
        var rounds = 0;
        do
        {
            var page = await _gateway.GetJsonAsync($"/v1/wallets/{address}/activity?limit=2" + (before is null ? string.Empty : $"&before={before}"));
            var signatures = page.GetProperty("activity").EnumerateArray().Select(a => a.GetProperty("signature").GetString()!).ToList();
            signatures.Count.Should().BeLessThanOrEqualTo(2);
            pages.AddRange(signatures);
            before = page.GetProperty("next_before").ValueKind == JsonValueKind.Null ? null : page.GetProperty("next_before").GetString();
            if (before is not null)
            {
                before.Should().Be(signatures[^1]);
            }
        }
        while (before is not null && ++rounds < 10);

        pages.Should().Equal(newestFirst);
        var all = await _gateway.GetJsonAsync($"/v1/wallets/{address}/activity");
        all.GetProperty("activity").GetArrayLength().Should().Be(5, "the default limit is 50");
        all.GetProperty("next_before").ValueKind.Should().Be(JsonValueKind.Null);
        all.GetProperty("activity")[0].GetProperty("slot").GetUInt64().Should().Be(50);
        (await _gateway.GetJsonAsync($"/v1/wallets/{address}")).GetProperty("activity_count").GetInt64().Should().Be(5);
    }

    [Theory]
    [InlineData("limit=0", "invalid_limit")]
    [InlineData("limit=1001", "invalid_limit")]
    [InlineData("limit=ten", "invalid_limit")]
    [InlineData("before=abc", "invalid_signature")]
    [InlineData("before=0OIl", "invalid_signature")]
    public async Task Bad_paging_parameters_are_400(string query, string code)
    {
        var response = await _gateway.Http.GetAsync($"/v1/wallets/{Updates.NewPubkey()}/activity?{query}");

        response.StatusCode.Should().Be(HttpStatusCode.BadRequest);
        (await response.JsonAsync()).GetProperty("error").GetProperty("code").GetString().Should().Be(code);
    }

    [Fact]
    public async Task Tracking_and_activity_survive_a_restart_on_the_same_sqlite_file()
    {
        var database = Path.Combine(Path.GetTempPath(), $"accountgrains-wallets-{Guid.NewGuid():N}.db");
        var address = Updates.NewPubkey();
        var activity = WalletActivities.Received(address, 9, 123);
        await using (var first = await EmbeddedGateway.StartAsync(databasePath: database))
        {
            (await first.TrackAsync(address, new { tracker = "ops" })).StatusCode.Should().Be(HttpStatusCode.Created);
            await TestWallets.ApplyAsync(first.Grains, activity, expectedCount: 1);
        }

        await using var second = await EmbeddedGateway.StartAsync(databasePath: database);
        var wallet = await second.GetJsonAsync($"/v1/wallets/{address}");
        wallet.Trackers().Should().Equal("ops");
        wallet.GetProperty("status").GetString().Should().NotBe("untracked");
        wallet.GetProperty("activity_count").GetInt64().Should().Be(1);
        (await second.GetJsonAsync("/v1/wallets")).GetProperty("wallets").EnumerateArray()
            .Should().ContainSingle(w => w.GetProperty("address").GetString() == address);
        (await second.GetJsonAsync($"/v1/wallets/{address}/activity")).GetProperty("activity")[0].GetProperty("signature").GetString()
            .Should().Be(activity.Signature);
    }

    [Fact]
    public async Task Notifications_given_up_on_are_listed_per_wallet_without_the_sinks_secrets()
    {
        await using var gateway = await EmbeddedGateway.StartAsync(settings: new Dictionary<string, string?>
        {
            ["AccountGrains:Notifications:MaxAttempts"] = "1",
        });
        var address = Updates.NewPubkey();

        // Nothing listens on port 1 of the loopback: the one attempt fails, the notification is a dead letter.
        (await gateway.TrackAsync(address, new
        {
            tracker = "ops",
            sinks = new object[]
            {
                new { kind = "webhook", url = "http://127.0.0.1:1/hook?key=query-secret", secret = "hmac-secret" },
                new { kind = "discord", url = "http://127.0.0.1:1/api/webhooks/123/TOKEN-IN-PATH" },
            },
        })).EnsureSuccessStatusCode();
        var activity = WalletActivities.Received(address, 77, 1_000);
        await TestWallets.ApplyAsync(gateway.Grains, activity, 1);

        JsonElement letters = default;
        await Waits.UntilAsync(async () =>
        {
            letters = (await gateway.GetJsonAsync($"/v1/wallets/{address}/dead-letters")).GetProperty("dead_letters");
            return letters.GetArrayLength() == 2;
        }, "a dead letter per sink");
        letters.EnumerateArray().Select(l => l.GetProperty("sink").GetString()).Should().BeEquivalentTo("webhook http://127.0.0.1:1", "discord http://127.0.0.1:1");
        letters.EnumerateArray().Should().OnlyContain(l => l.GetProperty("signature").GetString() == activity.Signature
            && l.GetProperty("attempts").GetInt32() == 1
            && !string.IsNullOrEmpty(l.GetProperty("last_error").GetString()));
        letters.GetRawText().Should().NotContain("TOKEN-IN-PATH").And.NotContain("query-secret").And.NotContain("hmac-secret");

        var badLimit = await gateway.Http.GetAsync($"/v1/wallets/{address}/dead-letters?limit=0");
        badLimit.StatusCode.Should().Be(HttpStatusCode.BadRequest);
        (await badLimit.JsonAsync()).GetProperty("error").GetProperty("code").GetString().Should().Be("invalid_limit");
        (await gateway.GetJsonAsync($"/v1/wallets/{address}/dead-letters?limit=1")).GetProperty("dead_letters").GetArrayLength().Should().Be(1);
    }
}
