using AccountGrains.Grains.Ingest;
using AccountGrains.Grains.Ingest.Yellowstone;

using Microsoft.Extensions.Options;

namespace AccountGrains.Grains.Tests.Ingest;

public sealed class InterestTests
{
    [Fact]
    public void Interest_ids_are_canonical_so_filter_order_does_not_matter()
    {
        var program = Keys.Base58(1);
        var a = Interest.Program(program, AccountFilter.OfDataSize(165), AccountFilter.Memcmp(32, Keys.Base58(2)));
        var b = Interest.Program(program, AccountFilter.Memcmp(32, Keys.Base58(2)), AccountFilter.OfDataSize(165));

        a.Should().Be(b);
        a.Id.Should().Be($"program:{program}?memcmp=32:{Keys.Base58(2)}&size=165");
        Interest.Account(program).Id.Should().Be($"account:{program}");
        Interest.Wallet(program).Should().NotBe(Interest.Account(program));
        a.Filters.Select(f => AccountFilter.Parse(f.ToString())).Should().Equal(a.Filters);
        SubscribeRequestBuilder.ProgramFilterName(a).Should().Be(SubscribeRequestBuilder.ProgramFilterName(b))
            .And.StartWith($"program/{program}/").And.NotBe(SubscribeRequestBuilder.ProgramFilterName(Interest.Program(program)));
    }

    [Theory]
    [InlineData("size=x")]
    [InlineData("memcmp=32")]
    [InlineData("memcmp=:abc")]
    [InlineData("other=1")]
    public void Malformed_filter_text_is_refused(string text)
    {
        var parse = () => AccountFilter.Parse(text);
        parse.Should().Throw<FormatException>().WithMessage($"*'{text}'*");
    }

    [Fact]
    public void Invalid_interests_are_refused_with_the_reason()
    {
        var program = Keys.Base58(1);
        InterestRules.Validate(Interest.Account("not-base58!")).Should().Contain("not-base58!");
        InterestRules.Validate(new Interest(InterestKind.Account, program, [AccountFilter.OfDataSize(1)])).Should().Contain("only program interests take filters");
        InterestRules.Validate(Interest.Program(program, [.. Enumerable.Range(1, 5).Select(i => AccountFilter.OfDataSize((ulong)i))])).Should().Contain("at most 4");
        InterestRules.Validate(Interest.Program(program, new AccountFilter { DataSize = 1, MemcmpOffset = 0, MemcmpBytes = "2" })).Should().Contain("exactly one");
        InterestRules.Validate(Interest.Program(program, new AccountFilter { MemcmpOffset = 0 })).Should().Contain("needs both");
        InterestRules.Validate(Interest.Program(program, AccountFilter.Memcmp(0, "0OIl"))).Should().Contain("not base58");
        InterestRules.Validate(Interest.Program(program, AccountFilter.Memcmp(0, new string('z', 200)))).Should().Contain("at most 128 bytes");
        InterestRules.Validate(Interest.Program(program, AccountFilter.Memcmp(ulong.MaxValue, Keys.Base58(3)))).Should().Contain("past the largest account");
        InterestRules.Validate(Interest.Program(program, AccountFilter.Memcmp(0, Keys.Base58(3)))).Should().BeNull();
    }

    [Fact]
    public async Task Interest_added_at_run_time_is_stored_and_comes_back_after_a_restart_with_the_configured_one()
    {
        var database = Path.Combine(Path.GetTempPath(), $"accountgrains-interest-{Guid.NewGuid():N}.db");
        var configured = new Dictionary<string, string?>
        {
            ["AccountGrains:Ingest:Interest:Accounts:0"] = Keys.Base58(1),
            ["AccountGrains:Ingest:Interest:Programs:0:Program"] = Keys.Base58(2),
            ["AccountGrains:Ingest:Interest:Programs:0:Filters:0:DataSize"] = "165",
            ["AccountGrains:Ingest:Interest:Programs:0:Filters:1:MemcmpOffset"] = "32",
            ["AccountGrains:Ingest:Interest:Programs:0:Filters:1:MemcmpBytes"] = Keys.Base58(3),
        };
        var program = Interest.Program(Keys.Base58(2), AccountFilter.OfDataSize(165), AccountFilter.Memcmp(32, Keys.Base58(3)));
        await using (var silo = await TestSilo.StartAsync(database, configured))
        {
            var ingest = silo.Grains.Get<IGeyserIngestGrain>(IGeyserIngestGrain.DefaultKey);
            (await ingest.GetInterestAsync()).Should().BeEquivalentTo([Interest.Account(Keys.Base58(1)), program]);

            (await ingest.AddInterestAsync(Interest.Wallet(Keys.Base58(4)))).Should().BeTrue();
            (await ingest.AddInterestAsync(Interest.Wallet(Keys.Base58(4)))).Should().BeFalse("it is there already");
            (await ingest.AddInterestAsync(Interest.Account(Keys.Base58(5)))).Should().BeTrue();
            (await ingest.RemoveInterestAsync(Interest.Account(Keys.Base58(5)).Id)).Should().BeTrue();
            (await ingest.RemoveInterestAsync("account:nothing")).Should().BeFalse();
            (await ingest.GetStatusAsync()).InterestCount.Should().Be(3);
        }

        await using (var restarted = await TestSilo.StartAsync(database))
        {
            var interest = await restarted.Grains.Get<IGeyserIngestGrain>(IGeyserIngestGrain.DefaultKey).GetInterestAsync();
            interest.Should().BeEquivalentTo([Interest.Wallet(Keys.Base58(4))], "only run-time interest is stored; configuration is read again");
        }
    }

    [Fact]
    public async Task Invalid_interest_and_a_full_set_are_refused_clearly()
    {
        await using var silo = await TestSilo.StartAsync(settings: new Dictionary<string, string?> { ["AccountGrains:Ingest:MaxInterest"] = "2" });
        var ingest = silo.Grains.Get<IGeyserIngestGrain>(IGeyserIngestGrain.DefaultKey);

        var invalid = () => ingest.AddInterestAsync(Interest.Account("bad"));
        (await invalid.Should().ThrowAsync<ArgumentException>()).WithMessage("*'bad'*");
        await ingest.AddInterestAsync(Interest.Account(Keys.Base58(1)));
        await ingest.AddInterestAsync(Interest.Account(Keys.Base58(2)));
        var full = () => ingest.AddInterestAsync(Interest.Account(Keys.Base58(3)));
        (await full.Should().ThrowAsync<InvalidOperationException>()).WithMessage("*MaxInterest*");
        (await ingest.GetInterestAsync()).Should().HaveCount(2);
    }

    [Fact]
    public void Bad_ingest_configuration_is_refused_naming_the_setting()
    {
        var options = new IngestOptions { Source = "kafka", MaxInterest = 0 };
        options.Interest.Accounts.Add("nope");
        var result = new IngestOptionsValidator().Validate(null, options);

        result.Failed.Should().BeTrue();
        result.Failures.Should().Contain(f => f.Contains("AccountGrains:Ingest:Source") && f.Contains("kafka"));
        result.Failures.Should().Contain(f => f.Contains("MaxInterest"));
        result.Failures.Should().Contain(f => f.Contains("'nope'"));

        var yellowstone = new YellowstoneOptionsValidator(Options.Create(new IngestOptions { Source = IngestOptions.Yellowstone }))
            .Validate(null, new YellowstoneOptions { Endpoint = null, PingInterval = TimeSpan.FromSeconds(60) });
        yellowstone.Failures.Should().Contain(f => f.Contains("AccountGrains:Ingest:Yellowstone:Endpoint"));
        yellowstone.Failures.Should().Contain(f => f.Contains("StallTimeout"));
        new YellowstoneOptionsValidator(Options.Create(new IngestOptions())).Validate(null, new YellowstoneOptions()).Skipped
            .Should().BeTrue("Yellowstone settings only matter when it is the source");
    }
}
