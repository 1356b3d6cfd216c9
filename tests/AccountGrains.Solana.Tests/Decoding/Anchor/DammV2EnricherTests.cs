using System.Buffers.Binary;
using System.Text.Json.Nodes;

using AccountGrains.Solana.Decoding;
using AccountGrains.Solana.Decoding.Anchor;
using AccountGrains.Solana.Decoding.Meteora;
using AccountGrains.Solana.Tests.TestSupport;

namespace AccountGrains.Solana.Tests.Decoding.Anchor;

/// <summary>Derived DAMM v2 values on hand-laid accounts, with offsets written out here from the IDL by hand.</summary>
public sealed class DammV2EnricherTests
{
    // Offsets after the 8-byte discriminator.
    private const int PoolLength = 1104;
    private const int PoolProtocolFeePercent = 40;
    private const int PoolReferralFeePercent = 42;
    private const int PoolCompoundingFeeBps = 46;
    private const int PoolDynamicInitialized = 48;
    private const int PoolVariableFeeControl = 60;
    private const int PoolBinStep = 64;
    private const int PoolVolatilityAccumulator = 112;
    private const int PoolTokenAMint = 160;
    private const int PoolTokenBMint = 192;
    private const int PoolSqrtPrice = 448;
    private const int ConfigLength = 320;
    private const int ConfigBaseFee = 64;
    private const int ConfigProtocolFeePercent = 144;

    private static readonly byte[] PoolDiscriminator = [241, 154, 109, 4, 17, 177, 109, 188];
    private static readonly byte[] ConfigDiscriminator = [155, 12, 170, 224, 30, 250, 204, 130];
    private static readonly Lazy<AnchorIdl> Idl = new(() => AnchorIdl.Load(AnchorVectorScript.DammIdlPath));

    [Theory]
    [InlineData("18446744073709551616", "1")]
    [InlineData("9223372036854775808", "0.25")]
    [InlineData("13835058055282163712", "0.5625")]
    [InlineData("0", "0")]
    [InlineData("1", "0.0000000000000000000000000000000000000029387358770557187699")]
    [InlineData("340282366920938463463374607431768211455", "340282366920938463460000000000000000000")]
    public void Price_is_the_square_of_sqrt_price_over_2_to_the_64(string sqrtPrice, string price)
    {
        byte[] pool = Pool();
        BinaryPrimitives.WriteUInt128LittleEndian(pool.AsSpan(8 + PoolSqrtPrice), UInt128.Parse(sqrtPrice, System.Globalization.CultureInfo.InvariantCulture));

        JsonObject derived = Derived(pool, null);

        derived["price"]!.GetValue<string>().Should().Be(price);
        derived.ContainsKey("price_adjusted").Should().BeFalse();
    }

    [Theory]
    [InlineData(9, 6, "1000")]
    [InlineData(6, 9, "0.001")]
    [InlineData(6, 6, "1")]
    public void Adjusted_price_shifts_by_the_difference_of_the_mints_decimals(byte decimalsA, byte decimalsB, string adjusted)
    {
        byte[] pool = Pool();
        var mints = new FakeMints();
        mints.Set(Pubkey.Parse(Layout.KeyA), decimalsA);
        mints.Set(Pubkey.Parse(Layout.KeyB), decimalsB);

        JsonObject derived = Derived(pool, mints);

        derived["price"]!.GetValue<string>().Should().Be("1");
        derived["price_adjusted"]!.GetValue<string>().Should().Be(adjusted);
        derived["token_a_decimals"]!.GetValue<int>().Should().Be(decimalsA);
        derived["token_b_decimals"]!.GetValue<int>().Should().Be(decimalsB);
    }

    [Fact]
    public void Adjusted_price_is_left_out_while_one_mint_is_unknown()
    {
        var mints = new FakeMints();
        mints.Set(Pubkey.Parse(Layout.KeyA), 6);

        Derived(Pool(), mints).Select(p => p.Key).Should().NotContain(["price_adjusted", "token_a_decimals", "token_b_decimals"]);
    }

    [Fact]
    public void A_linear_time_scheduler_falls_by_the_reduction_factor_each_period()
    {
        byte[] pool = Pool(baseFee: BaseFee(cliff: 2_500_000, mode: 0, periods: 10, reduction: 100_000, frequency: 60));

        JsonObject derived = Derived(pool, null);

        derived["base_fee"]!.ToJsonString().Should().Be(
            "{\"mode\":\"FeeTimeSchedulerLinear\",\"cliff_fee_numerator\":\"2500000\",\"number_of_period\":10,\"period_frequency\":\"60\",\"reduction_factor\":\"100000\"}");
        derived["base_fee_percent"]!.GetValue<string>().Should().Be("0.25");
        derived["min_base_fee_percent"]!.GetValue<string>().Should().Be("0.15");
    }

    [Theory]
    [InlineData(1, "0.5")]
    [InlineData(2, "0.25")]
    [InlineData(0, "1")]
    public void An_exponential_scheduler_multiplies_by_one_minus_the_reduction_each_period(ushort periods, string minimum)
    {
        // A reduction factor of 5000 bps halves the fee each period.
        byte[] pool = Pool(baseFee: BaseFee(cliff: 10_000_000, mode: 1, periods: periods, reduction: 5000));

        JsonObject derived = Derived(pool, null);

        derived["base_fee_percent"]!.GetValue<string>().Should().Be("1");
        derived["min_base_fee_percent"]!.GetValue<string>().Should().Be(minimum);
    }

    [Fact]
    public void Parameters_the_program_rejects_have_no_minimum_fee()
    {
        Derived(Pool(baseFee: BaseFee(cliff: 1_000_000, mode: 0, periods: 10, reduction: 200_000)), null)["min_base_fee_percent"]
            .Should().BeNull("ten reductions of 200,000 take a 1,000,000 fee below zero");
        Derived(Pool(baseFee: BaseFee(cliff: 1_000_000, mode: 4, periods: 1, reduction: 10_001)), null)["min_base_fee_percent"]
            .Should().BeNull("a reduction of more than 100% is not a fee");
    }

    [Fact]
    public void A_rate_limiter_shows_its_parameters_and_its_cliff_fee_as_the_minimum()
    {
        byte[] data = BaseFee(cliff: 3_000_000, mode: 2);
        BinaryPrimitives.WriteUInt16LittleEndian(data.AsSpan(14), 10);
        BinaryPrimitives.WriteUInt32LittleEndian(data.AsSpan(16), 600);
        BinaryPrimitives.WriteUInt32LittleEndian(data.AsSpan(20), 5000);
        BinaryPrimitives.WriteUInt64LittleEndian(data.AsSpan(24), 1_000_000_000);

        JsonObject derived = Derived(Pool(baseFee: data), null);

        derived["base_fee"]!.ToJsonString().Should().Be(
            "{\"mode\":\"RateLimiter\",\"cliff_fee_numerator\":\"3000000\",\"fee_increment_bps\":10,\"max_limiter_duration\":600,\"max_fee_bps\":5000,\"reference_amount\":\"1000000000\"}");
        derived["base_fee_percent"]!.GetValue<string>().Should().Be("0.3");
        derived["min_base_fee_percent"]!.GetValue<string>().Should().Be("0.3");
    }

    [Fact]
    public void An_unknown_base_fee_mode_leaves_the_base_fee_null()
    {
        JsonObject derived = Derived(Pool(baseFee: BaseFee(cliff: 3_000_000, mode: 9)), null);

        derived["base_fee"].Should().BeNull();
        derived["base_fee_percent"].Should().BeNull();
        derived["min_base_fee_percent"].Should().BeNull();
        derived["price"]!.GetValue<string>().Should().Be("1");
    }

    [Fact]
    public void Dynamic_fee_counts_only_when_initialized()
    {
        byte[] pool = Pool();
        BinaryPrimitives.WriteUInt128LittleEndian(pool.AsSpan(8 + PoolVolatilityAccumulator), 100_000);
        BinaryPrimitives.WriteUInt16LittleEndian(pool.AsSpan(8 + PoolBinStep), 100);
        BinaryPrimitives.WriteUInt32LittleEndian(pool.AsSpan(8 + PoolVariableFeeControl), 50_000);

        Derived(pool, null)["dynamic_fee_percent"]!.GetValue<string>().Should().Be("0");

        // ((100,000 × 100)² × 50,000 + 99,999,999,999) / 10^11 = 50,000,000 of 10^9: 5%.
        pool[8 + PoolDynamicInitialized] = 1;
        Derived(pool, null)["dynamic_fee_percent"]!.GetValue<string>().Should().Be("5");
    }

    [Fact]
    public void Fee_shares_split_the_trading_fee_between_protocol_referrer_pool_and_lps()
    {
        byte[] pool = Pool();
        pool[8 + PoolProtocolFeePercent] = 20;
        pool[8 + PoolReferralFeePercent] = 20;
        BinaryPrimitives.WriteUInt16LittleEndian(pool.AsSpan(8 + PoolCompoundingFeeBps), 5000);

        JsonObject derived = Derived(pool, null);

        derived["protocol_fee_share_percent"]!.GetValue<string>().Should().Be("20");
        derived["referral_fee_share_percent"]!.GetValue<string>().Should().Be("4");
        derived["compounding_fee_share_percent"]!.GetValue<string>().Should().Be("40");
        derived["lp_fee_share_percent"]!.GetValue<string>().Should().Be("40");
    }

    [Fact]
    public void Config_gets_its_base_fee_and_shares()
    {
        var config = new byte[8 + ConfigLength];
        ConfigDiscriminator.CopyTo(config, 0);
        BaseFee(cliff: 2_500_000, mode: 0, periods: 0, reduction: 0).CopyTo(config, 8 + ConfigBaseFee);
        config[8 + ConfigProtocolFeePercent] = 50;

        JsonObject derived = Derived(config, null);

        derived.ToJsonString().Should().Be(
            "{\"base_fee\":{\"mode\":\"FeeTimeSchedulerLinear\",\"cliff_fee_numerator\":\"2500000\",\"number_of_period\":0,\"period_frequency\":\"0\",\"reduction_factor\":\"0\"},"
            + "\"base_fee_percent\":\"0.25\",\"min_base_fee_percent\":\"0.25\",\"protocol_fee_share_percent\":\"50\",\"referral_fee_share_percent\":\"0\","
            + "\"compounding_fee_share_percent\":\"0\",\"lp_fee_share_percent\":\"50\"}");
    }

    [Fact]
    public void Other_accounts_get_no_derived_values()
    {
        var registry = new AccountDecoderRegistry([new AnchorIdlDecoder(Idl.Value, new DammV2Enricher(null))]);
        byte[] badge = [116, 219, 204, 229, 249, 116, 255, 150, .. new byte[160]];

        DecodedAccountData result = registry.Decode(WellKnownPrograms.MeteoraDammV2, badge);

        result.AccountType.Should().Be("token_badge");
        JsonNode.Parse(result.FieldsJson)!.AsObject().Select(p => p.Key).Should().Equal("token_mint", "_padding");
    }

    [Fact]
    public void The_damm_v2_enricher_is_chosen_by_its_program_id_only()
    {
        AnchorEnrichers.For(WellKnownPrograms.MeteoraDammV2, null).Should().BeOfType<DammV2Enricher>();
        AnchorEnrichers.For(WellKnownPrograms.SplToken, new FakeMints()).Should().BeNull();
    }

    [Fact]
    public void An_idl_whose_pool_lacks_what_the_enricher_reads_is_refused_when_the_decoder_is_built()
    {
        JsonNode idl = JsonNode.Parse(File.ReadAllText(AnchorVectorScript.DammIdlPath))!;
        JsonObject pool = idl["types"]!.AsArray().Single(t => t!["name"]!.GetValue<string>() == "Pool")!.AsObject();
        pool["type"]!["fields"]!.AsArray().Single(f => f!["name"]!.GetValue<string>() == "sqrt_price")!["type"] = "u64";

        var changed = AnchorIdl.Parse(idl.ToJsonString());

        FluentActions.Invoking(() => new AnchorIdlDecoder(changed, new DammV2Enricher(null)))
            .Should().Throw<AnchorIdlException>().WithMessage("the DAMM v2 enricher reads Pool.sqrt_price as u128, but the IDL has it as u64");
        new AnchorIdlDecoder(changed).ProgramName.Should().Be("cp_amm");
    }

    private static JsonObject Derived(byte[] account, IMintDecimalsLookup? mints)
    {
        var registry = new AccountDecoderRegistry([new AnchorIdlDecoder(Idl.Value, AnchorEnrichers.For(WellKnownPrograms.MeteoraDammV2, mints))]);
        DecodedAccountData result = registry.Decode(WellKnownPrograms.MeteoraDammV2, account);
        result.Error.Should().BeNull();
        return JsonNode.Parse(result.FieldsJson)!["derived"]!.AsObject();
    }

    /// <summary>A pool at price 1 (sqrt_price 2^64) with mints KeyA and KeyB and the given base fee data.</summary>
    private static byte[] Pool(byte[]? baseFee = null)
    {
        var data = new byte[8 + PoolLength];
        PoolDiscriminator.CopyTo(data, 0);
        (baseFee ?? BaseFee(cliff: 2_500_000, mode: 0)).CopyTo(data, 8);
        Layout.Key(data, 8 + PoolTokenAMint, Layout.KeyA);
        Layout.Key(data, 8 + PoolTokenBMint, Layout.KeyB);
        BinaryPrimitives.WriteUInt128LittleEndian(data.AsSpan(8 + PoolSqrtPrice), UInt128.One << 64);
        return data;
    }

    /// <summary>32 bytes of base fee data laid out as PodAlignedFeeTimeScheduler (and the market-cap scheduler, same offsets).</summary>
    private static byte[] BaseFee(ulong cliff, byte mode, ushort periods = 0, ulong reduction = 0, ulong frequency = 0)
    {
        var data = new byte[32];
        BinaryPrimitives.WriteUInt64LittleEndian(data, cliff);
        data[8] = mode;
        BinaryPrimitives.WriteUInt16LittleEndian(data.AsSpan(14), periods);
        BinaryPrimitives.WriteUInt64LittleEndian(data.AsSpan(16), frequency);
        BinaryPrimitives.WriteUInt64LittleEndian(data.AsSpan(24), reduction);
        return data;
    }
}
