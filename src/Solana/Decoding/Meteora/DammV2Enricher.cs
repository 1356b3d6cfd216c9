using System.Buffers.Binary;
using System.Numerics;
using System.Text.Json;

using AccountGrains.Solana.Decoding.Anchor;

namespace AccountGrains.Solana.Decoding.Meteora;

/// <summary>
/// Derived values of Meteora DAMM v2 (cp_amm) accounts, computed as @meteora-ag/cp-amm-sdk 1.4.3 computes them.
/// Every field it reads is located through the IDL, so a layout change in a newer IDL moves the reads with it, and
/// an IDL without a needed field fails when the decoder is built, not while decoding.
/// </summary>
/// <remarks>
/// <para>Pool and Config get <c>"derived"</c>; prices and percentages are decimal strings with at most
/// <see cref="DecimalText.SignificantDigits"/> significant digits (exact BigInteger arithmetic, rounded half up,
/// plain notation), exact whenever the value has no more digits than that.</para>
/// <list type="bullet">
/// <item><c>price</c> (Pool): (sqrt_price / 2^64)^2, token B per token A in raw (smallest) units.</item>
/// <item><c>price_adjusted</c>, <c>token_a_decimals</c>, <c>token_b_decimals</c> (Pool, only when both mints' decimals
/// are known): price × 10^(decimals_a − decimals_b), whole token B per whole token A (the SDK's getPriceFromSqrtPrice).</item>
/// <item><c>base_fee</c>: the base fee parameters decoded from <c>base_fee_info.data</c> by its mode byte
/// (the PodAligned* layouts), with <c>mode</c> as the SDK's BaseFeeMode name; null for an unknown mode.</item>
/// <item><c>base_fee_percent</c>: cliff_fee_numerator / FEE_DENOMINATOR × 100, the base fee in percent of the traded
/// amount where a scheduler starts (and a rate limiter's fee for small trades); null for an unknown mode.</item>
/// <item><c>min_base_fee_percent</c>: the base fee once a fee scheduler has run all its periods (the SDK's
/// getMinFeeNumerator; the cliff fee for the rate limiter); null for an unknown mode or parameters the program rejects.</item>
/// <item><c>dynamic_fee_percent</c> (Pool): the volatility fee at the stored volatility accumulator (the SDK's
/// getDynamicFeeNumerator), "0" when the dynamic fee is off. It is added to the base fee, capped at the pool's maximum.</item>
/// <item><c>protocol_fee_share_percent</c>: the part of every trading fee that goes to the protocol (protocol_fee_percent);
/// <c>referral_fee_share_percent</c>: the part that goes to a referrer instead, when a swap has one
/// (protocol × referral_fee_percent / 100); <c>compounding_fee_share_percent</c>: the part added back to the pool's
/// liquidity ((100 − protocol) × compounding_fee_bps / 10000); <c>lp_fee_share_percent</c>: the part LPs claim (the SDK's
/// claimingFee: the rest). These follow the SDK's splitFees.</item>
/// </list>
/// <para>The current base fee of a scheduler depends on the clock (or, for the market-cap scheduler, on the price
/// and the clock), which account data does not carry, so it is not derived; base_fee holds what is needed for it.
/// This IDL version has no partner fee (the SDK's older partner_fee_percent byte is padding_0 now).</para>
/// </remarks>
public sealed class DammV2Enricher(IMintDecimalsLookup? mints) : IAnchorAccountEnricher
{
    /// <summary>The SDK's FEE_DENOMINATOR, used when the IDL has no FEE_DENOMINATOR constant.</summary>
    public const ulong DefaultFeeDenominator = 1_000_000_000;

    public AnchorDerivedWriter? Bind(AnchorIdl idl, AnchorIdlAccount account)
    {
        ArgumentNullException.ThrowIfNull(idl);
        ArgumentNullException.ThrowIfNull(account);
        return account.Name switch
        {
            "Pool" => new PoolWriter(idl, mints).Write,
            "Config" => new ConfigWriter(idl).Write,
            _ => null,
        };
    }

    private static int Field(AnchorIdl idl, string type, string path, string expectedType)
    {
        AnchorFieldLayout layout = idl.GetFixedField(type, path);
        if (layout.Type != expectedType)
        {
            throw new AnchorIdlException(
                $"the DAMM v2 enricher reads {type}.{path} as {expectedType}, but the IDL has it as {layout.Type}");
        }

        return layout.Offset;
    }

    private static BigInteger FeeDenominator(AnchorIdl idl)
    {
        return idl.TryGetConstant("FEE_DENOMINATOR", out AnchorIdlConstant? constant)
            && BigInteger.TryParse(constant.Value.Replace("_", string.Empty, StringComparison.Ordinal), out BigInteger value)
            && value.Sign > 0
            ? value
            : DefaultFeeDenominator;
    }

    private static string Percent(BigInteger numerator, BigInteger feeDenominator)
    {
        return DecimalText.FormatRatio(numerator * 100, feeDenominator);
    }

    private static byte U8(ReadOnlySpan<byte> data, int offset) => data[offset];

    private static ushort U16(ReadOnlySpan<byte> data, int offset) => BinaryPrimitives.ReadUInt16LittleEndian(data[offset..]);

    private static uint U32(ReadOnlySpan<byte> data, int offset) => BinaryPrimitives.ReadUInt32LittleEndian(data[offset..]);

    private static ulong U64(ReadOnlySpan<byte> data, int offset) => BinaryPrimitives.ReadUInt64LittleEndian(data[offset..]);

    private static UInt128 U128(ReadOnlySpan<byte> data, int offset) => BinaryPrimitives.ReadUInt128LittleEndian(data[offset..]);

    /// <summary>Where the fee split fields sit (the same names in Pool's PoolFeesStruct and Config's PoolFeesConfig).</summary>
    private readonly struct FeeSplitFields(AnchorIdl idl, string type)
    {
        private readonly int _protocol = Field(idl, type, "pool_fees.protocol_fee_percent", "u8");
        private readonly int _referral = Field(idl, type, "pool_fees.referral_fee_percent", "u8");
        private readonly int _compounding = Field(idl, type, "pool_fees.compounding_fee_bps", "u16");

        public void Write(ReadOnlySpan<byte> data, Utf8JsonWriter writer)
        {
            int protocol = U8(data, _protocol);
            int referral = U8(data, _referral);
            int compoundingBps = U16(data, _compounding);
            int toPool = 100 - protocol;
            writer.WriteString("protocol_fee_share_percent"u8, DecimalText.FormatRatio(protocol, 1));
            writer.WriteString("referral_fee_share_percent"u8, DecimalText.FormatRatio(protocol * referral, 100));
            writer.WriteString("compounding_fee_share_percent"u8, DecimalText.FormatRatio(toPool * compoundingBps, DammV2FeeMath.BasisPointMax));
            writer.WriteString("lp_fee_share_percent"u8, DecimalText.FormatRatio(toPool * (DammV2FeeMath.BasisPointMax - compoundingBps), DammV2FeeMath.BasisPointMax));
        }
    }

    /// <summary>
    /// The 32 bytes of base fee data, read by the layout its mode byte selects: PodAlignedFeeTimeScheduler,
    /// PodAlignedFeeRateLimiter or PodAlignedFeeMarketCapScheduler (offsets from the IDL's types of those names).
    /// </summary>
    private readonly struct BaseFeeFields
    {
        private const string Time = "PodAlignedFeeTimeScheduler";
        private const string Limiter = "PodAlignedFeeRateLimiter";
        private const string MarketCap = "PodAlignedFeeMarketCapScheduler";

        private readonly int _data;
        private readonly int _mode;
        private readonly int _cliff;
        private readonly int _timePeriods;
        private readonly int _timeFrequency;
        private readonly int _timeReduction;
        private readonly int _limiterIncrement;
        private readonly int _limiterDuration;
        private readonly int _limiterMaxBps;
        private readonly int _limiterReference;
        private readonly int _capPeriods;
        private readonly int _capStep;
        private readonly int _capExpiration;
        private readonly int _capReduction;

        public BaseFeeFields(AnchorIdl idl, string type, string dataPath)
        {
            _data = Field(idl, type, dataPath, "[u8; 32]");
            _mode = Field(idl, Time, "base_fee_mode", "u8");
            _cliff = Field(idl, Time, "cliff_fee_numerator", "u64");
            foreach (string layout in new[] { Limiter, MarketCap })
            {
                if (Field(idl, layout, "base_fee_mode", "u8") != _mode || Field(idl, layout, "cliff_fee_numerator", "u64") != _cliff)
                {
                    throw new AnchorIdlException(
                        $"the DAMM v2 enricher needs cliff_fee_numerator and base_fee_mode at the same offsets in {Time} and {layout}");
                }
            }

            _timePeriods = Field(idl, Time, "number_of_period", "u16");
            _timeFrequency = Field(idl, Time, "period_frequency", "u64");
            _timeReduction = Field(idl, Time, "reduction_factor", "u64");
            _limiterIncrement = Field(idl, Limiter, "fee_increment_bps", "u16");
            _limiterDuration = Field(idl, Limiter, "max_limiter_duration", "u32");
            _limiterMaxBps = Field(idl, Limiter, "max_fee_bps", "u32");
            _limiterReference = Field(idl, Limiter, "reference_amount", "u64");
            _capPeriods = Field(idl, MarketCap, "number_of_period", "u16");
            _capStep = Field(idl, MarketCap, "sqrt_price_step_bps", "u32");
            _capExpiration = Field(idl, MarketCap, "scheduler_expiration_duration", "u32");
            _capReduction = Field(idl, MarketCap, "reduction_factor", "u64");
            foreach (string layout in new[] { Time, Limiter, MarketCap })
            {
                if (idl.FixedSize(new IdlDefinedType(layout, false), 0) is not (> 0 and <= 32))
                {
                    throw new AnchorIdlException($"the DAMM v2 enricher needs {layout} to fit the 32 bytes of base fee data");
                }
            }
        }

        public void Write(ReadOnlySpan<byte> account, Utf8JsonWriter writer, BigInteger feeDenominator)
        {
            ReadOnlySpan<byte> data = account.Slice(_data, 32);
            byte mode = U8(data, _mode);
            ulong cliff = U64(data, _cliff);
            if (mode > (byte)DammV2BaseFeeMode.FeeMarketCapSchedulerExponential)
            {
                writer.WriteNull("base_fee"u8);
                writer.WriteNull("base_fee_percent"u8);
                writer.WriteNull("min_base_fee_percent"u8);
                return;
            }

            var feeMode = (DammV2BaseFeeMode)mode;
            writer.WriteStartObject("base_fee"u8);
            writer.WriteString("mode"u8, feeMode.ToString());
            JsonFields.WriteU64String(writer, "cliff_fee_numerator"u8, cliff);
            BigInteger? min;
            switch (feeMode)
            {
                case DammV2BaseFeeMode.FeeTimeSchedulerLinear or DammV2BaseFeeMode.FeeTimeSchedulerExponential:
                    ushort periods = U16(data, _timePeriods);
                    ulong reduction = U64(data, _timeReduction);
                    writer.WriteNumber("number_of_period"u8, periods);
                    JsonFields.WriteU64String(writer, "period_frequency"u8, U64(data, _timeFrequency));
                    JsonFields.WriteU64String(writer, "reduction_factor"u8, reduction);
                    min = DammV2FeeMath.ScheduledMinFeeNumerator(cliff, periods, reduction, feeMode == DammV2BaseFeeMode.FeeTimeSchedulerExponential);
                    break;
                case DammV2BaseFeeMode.RateLimiter:
                    writer.WriteNumber("fee_increment_bps"u8, U16(data, _limiterIncrement));
                    writer.WriteNumber("max_limiter_duration"u8, U32(data, _limiterDuration));
                    writer.WriteNumber("max_fee_bps"u8, U32(data, _limiterMaxBps));
                    JsonFields.WriteU64String(writer, "reference_amount"u8, U64(data, _limiterReference));
                    min = cliff;
                    break;
                default:
                    ushort capPeriods = U16(data, _capPeriods);
                    ulong capReduction = U64(data, _capReduction);
                    writer.WriteNumber("number_of_period"u8, capPeriods);
                    writer.WriteNumber("sqrt_price_step_bps"u8, U32(data, _capStep));
                    writer.WriteNumber("scheduler_expiration_duration"u8, U32(data, _capExpiration));
                    JsonFields.WriteU64String(writer, "reduction_factor"u8, capReduction);
                    min = DammV2FeeMath.ScheduledMinFeeNumerator(cliff, capPeriods, capReduction, feeMode == DammV2BaseFeeMode.FeeMarketCapSchedulerExponential);
                    break;
            }

            writer.WriteEndObject();
            writer.WriteString("base_fee_percent"u8, Percent(cliff, feeDenominator));
            if (min is { } minimum)
            {
                writer.WriteString("min_base_fee_percent"u8, Percent(minimum, feeDenominator));
            }
            else
            {
                writer.WriteNull("min_base_fee_percent"u8);
            }
        }
    }

    private sealed class PoolWriter(AnchorIdl idl, IMintDecimalsLookup? mints)
    {
        private static readonly BigInteger Q128 = BigInteger.One << 128;

        private readonly BigInteger _feeDenominator = FeeDenominator(idl);
        private readonly BaseFeeFields _baseFee = new(idl, "Pool", "pool_fees.base_fee.base_fee_info.data");
        private readonly FeeSplitFields _split = new(idl, "Pool");
        private readonly int _sqrtPrice = Field(idl, "Pool", "sqrt_price", "u128");
        private readonly int _mintA = Field(idl, "Pool", "token_a_mint", "pubkey");
        private readonly int _mintB = Field(idl, "Pool", "token_b_mint", "pubkey");
        private readonly int _dynamicInitialized = Field(idl, "Pool", "pool_fees.dynamic_fee.initialized", "u8");
        private readonly int _volatility = Field(idl, "Pool", "pool_fees.dynamic_fee.volatility_accumulator", "u128");
        private readonly int _binStep = Field(idl, "Pool", "pool_fees.dynamic_fee.bin_step", "u16");
        private readonly int _variableFeeControl = Field(idl, "Pool", "pool_fees.dynamic_fee.variable_fee_control", "u32");

        public void Write(ReadOnlySpan<byte> data, Utf8JsonWriter writer)
        {
            var sqrtPrice = (BigInteger)U128(data, _sqrtPrice);
            BigInteger priceNumerator = sqrtPrice * sqrtPrice;
            writer.WriteString("price"u8, DecimalText.FormatRatio(priceNumerator, Q128));
            if (mints is not null
                && mints.TryGetDecimals(new Pubkey(data.Slice(_mintA, Pubkey.Length)), out byte decimalsA)
                && mints.TryGetDecimals(new Pubkey(data.Slice(_mintB, Pubkey.Length)), out byte decimalsB))
            {
                int shift = decimalsA - decimalsB;
                string adjusted = shift >= 0
                    ? DecimalText.FormatRatio(priceNumerator * DecimalText.PowerOfTen(shift), Q128)
                    : DecimalText.FormatRatio(priceNumerator, Q128 * DecimalText.PowerOfTen(-shift));
                writer.WriteString("price_adjusted"u8, adjusted);
                writer.WriteNumber("token_a_decimals"u8, decimalsA);
                writer.WriteNumber("token_b_decimals"u8, decimalsB);
            }

            _baseFee.Write(data, writer, _feeDenominator);
            BigInteger dynamicFee = U8(data, _dynamicInitialized) == 0
                ? BigInteger.Zero
                : DammV2FeeMath.DynamicFeeNumerator(U128(data, _volatility), U16(data, _binStep), U32(data, _variableFeeControl));
            writer.WriteString("dynamic_fee_percent"u8, Percent(dynamicFee, _feeDenominator));
            _split.Write(data, writer);
        }
    }

    private sealed class ConfigWriter(AnchorIdl idl)
    {
        private readonly BigInteger _feeDenominator = FeeDenominator(idl);
        private readonly BaseFeeFields _baseFee = new(idl, "Config", "pool_fees.base_fee.data");
        private readonly FeeSplitFields _split = new(idl, "Config");

        public void Write(ReadOnlySpan<byte> data, Utf8JsonWriter writer)
        {
            _baseFee.Write(data, writer, _feeDenominator);
            _split.Write(data, writer);
        }
    }
}
