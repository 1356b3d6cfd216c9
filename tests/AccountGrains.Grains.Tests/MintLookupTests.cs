using System.Text;
using System.Text.Json;
using AccountGrains.Grains.Ingest.Replay;
using Microsoft.Extensions.DependencyInjection;

namespace AccountGrains.Grains.Tests;

/// <summary>A pool needs its mints' decimals; when this silo has not decoded the mints, the pool asks their grains.</summary>
public sealed class MintLookupTests
{
    private const string SolUsdcPool = "CjWKjVvRCLEzrPDnVTsymobbr1x9hHr9pNiWi4DVzHqS";
    private const string WrappedSol = "So11111111111111111111111111111111111111112";
    private const string Usdc = "EPjFWdd5AufqSSqeM2qN1xzybapC8G4wEGGkZwyTDt1v";

    private static AccountUpdate FirstSampleUpdateOf(string pubkey)
    {
        var line = File.ReadLines(TestPaths.SampleReplay).First(l => l.Contains($"\"pubkey\":\"{pubkey}\"", StringComparison.Ordinal));
        ReplayLineParser.TryParse(Encoding.UTF8.GetBytes(line), DateTimeOffset.UtcNow, out var update, out var error).Should().BeTrue(error);
        return update!;
    }

    private static JsonElement Derived(AccountState state) => JsonDocument.Parse(state.Decoded.FieldsJson).RootElement.GetProperty("derived").Clone();

    [Fact]
    public async Task A_pool_gets_its_adjusted_price_from_mints_known_only_to_storage()
    {
        var database = Path.Combine(Path.GetTempPath(), $"accountgrains-mints-{Guid.NewGuid():N}.db");
        var settings = new Dictionary<string, string?> { ["AccountGrains:Decoders:AnchorIdls:0:Path"] = TestPaths.DammIdl };

        await using (var first = await TestSilo.StartAsync(database, settings))
        {
            await first.Grains.Get<IAccountGrain>(WrappedSol).ApplyAndReportAsync(FirstSampleUpdateOf(WrappedSol));
            await first.Grains.Get<IAccountGrain>(Usdc).ApplyAndReportAsync(FirstSampleUpdateOf(Usdc));
        }

        // A new silo: its mint cache is empty; the mints are only in storage.
        await using var second = await TestSilo.StartAsync(database, settings);
        var pool = second.Grains.Get<IAccountGrain>(SolUsdcPool);
        (await pool.ApplyAndReportAsync(FirstSampleUpdateOf(SolUsdcPool))).Should().Be(ApplyOutcome.Applied);

        var derived = Derived((await pool.GetSnapshotAsync()).State!);
        derived.GetProperty("token_a_decimals").GetInt32().Should().Be(9);
        derived.GetProperty("token_b_decimals").GetInt32().Should().Be(6);
        decimal.Parse(derived.GetProperty("price_adjusted").GetString()!, System.Globalization.CultureInfo.InvariantCulture)
            .Should().BeInRange(140m, 160m, "the sample's pool starts near 150 USDC per SOL");
    }

    [Fact]
    public async Task A_pool_whose_mints_are_unknown_everywhere_still_decodes_without_an_adjusted_price()
    {
        await using var silo = await TestSilo.StartAsync(settings: new Dictionary<string, string?> { ["AccountGrains:Decoders:AnchorIdls:0:Path"] = TestPaths.DammIdl });
        var pool = silo.Grains.Get<IAccountGrain>(SolUsdcPool);
        await pool.ApplyAndReportAsync(FirstSampleUpdateOf(SolUsdcPool));

        var state = (await pool.GetSnapshotAsync()).State!;
        state.Decoded.AccountType.Should().Be("pool");
        var derived = Derived(state);
        derived.TryGetProperty("price_adjusted", out _).Should().BeFalse();
        derived.GetProperty("price").GetString().Should().NotBeNullOrEmpty();
    }

    [Fact]
    public async Task A_mint_that_cannot_answer_never_costs_the_pool_its_update()
    {
        // At shutdown a pool still in a partition queue may ask a mint whose partition has already closed; the
        // transport refuses with InvalidOperationException. The pool's update must still be applied (and stored).
        await using var silo = await TestSilo.StartAsync(
            settings: new Dictionary<string, string?> { ["AccountGrains:Decoders:AnchorIdls:0:Path"] = TestPaths.DammIdl },
            configure: services =>
            {
                var original = services.Last(d => d.ServiceType == typeof(IGrainFactory));
                services.Remove(original);
                services.AddSingleton<IGrainFactory>(sp => new RefusingMints((IGrainFactory)original.ImplementationFactory!(sp), WrappedSol, Usdc));
            });
        var pool = silo.Grains.Get<IAccountGrain>(SolUsdcPool);

        (await pool.ApplyAndReportAsync(FirstSampleUpdateOf(SolUsdcPool))).Should().Be(ApplyOutcome.Applied);

        var state = (await pool.GetSnapshotAsync()).State!;
        state.Decoded.AccountType.Should().Be("pool");
        Derived(state).TryGetProperty("price_adjusted", out _).Should().BeFalse();
    }

    /// <summary>Hands out grains as usual, except that calls to the named mints fail as a stopping silo's do.</summary>
    private sealed class RefusingMints(IGrainFactory inner, params string[] refused) : IGrainFactory
    {
        public TGrain Get<TGrain>(string key)
            where TGrain : IGrain =>
            refused.Contains(key) && typeof(TGrain) == typeof(IAccountGrain)
                ? (TGrain)(object)new RefusingAccountGrain(key)
                : inner.Get<TGrain>(key);
    }

    private sealed class RefusingAccountGrain(string key) : IAccountGrain
    {
        private Task<T> Refuse<T>() => Task.FromException<T>(new InvalidOperationException($"partition is not accepting messages: the silo is stopping ({key})"));

        public Task ApplyAsync(AccountUpdate update) => Refuse<bool>();

        public Task<ApplyOutcome> ApplyAndReportAsync(AccountUpdate update) => Refuse<ApplyOutcome>();

        public Task<AccountSnapshot> GetSnapshotAsync() => Refuse<AccountSnapshot>();
    }
}
