using System.Numerics;

namespace AccountGrains.Solana.Decoding.Meteora;

/// <summary>The base fee modes of DAMM v2 (the SDK's BaseFeeMode), stored in byte 8 of the pool's base fee data.</summary>
internal enum DammV2BaseFeeMode
{
    FeeTimeSchedulerLinear = 0,
    FeeTimeSchedulerExponential = 1,
    RateLimiter = 2,
    FeeMarketCapSchedulerLinear = 3,
    FeeMarketCapSchedulerExponential = 4,
}

/// <summary>
/// DAMM v2 fee arithmetic, ported from @meteora-ag/cp-amm-sdk 1.4.3 (src/math/feeMath.ts, utilsMath.ts pow,
/// baseFee/feeScheduler.ts, dynamicFee.ts) with BigInteger in place of BN, so results are identical integers.
/// </summary>
internal static class DammV2FeeMath
{
    /// <summary>The SDK's BASIS_POINT_MAX.</summary>
    public const int BasisPointMax = 10_000;

    private const int ScaleOffset = 64;
    private const int MaxExponential = 0x80000;

    private static readonly BigInteger OneQ64 = BigInteger.One << ScaleOffset;
    private static readonly BigInteger U128Max = (BigInteger.One << 128) - 1;
    private static readonly BigInteger DynamicFeeScalingFactor = 100_000_000_000;
    private static readonly BigInteger DynamicFeeRoundingOffset = 99_999_999_999;

    /// <summary>
    /// The base fee numerator once a scheduler has run all its periods (the SDK's getMinFeeNumerator): the cliff fee
    /// reduced <paramref name="numberOfPeriod"/> times, linearly or exponentially. Null when the parameters are
    /// outside what the program accepts (a linear reduction below zero, an exponential reduction factor above 100%),
    /// where the program's checked arithmetic would fail.
    /// </summary>
    public static BigInteger? ScheduledMinFeeNumerator(ulong cliffFeeNumerator, ushort numberOfPeriod, ulong reductionFactor, bool exponential)
    {
        var cliff = new BigInteger(cliffFeeNumerator);
        if (!exponential)
        {
            BigInteger fee = cliff - (new BigInteger(numberOfPeriod) * reductionFactor);
            return fee.Sign < 0 ? null : fee;
        }

        if (numberOfPeriod == 0)
        {
            return cliff;
        }

        if (reductionFactor > BasisPointMax)
        {
            return null;
        }

        BigInteger bps = (new BigInteger(reductionFactor) << ScaleOffset) / BasisPointMax;
        BigInteger result = Pow(OneQ64 - bps, numberOfPeriod);
        return cliff * result / OneQ64;
    }

    /// <summary>
    /// The dynamic (volatility) fee numerator at the pool's stored volatility accumulator (the SDK's
    /// getDynamicFeeNumerator): ((volatility × bin step)² × variable fee control + 99,999,999,999) / 10^11.
    /// </summary>
    public static BigInteger DynamicFeeNumerator(UInt128 volatilityAccumulator, ushort binStep, uint variableFeeControl)
    {
        BigInteger squareVfaBin = BigInteger.Pow((BigInteger)volatilityAccumulator * binStep, 2);
        return ((variableFeeControl * squareVfaBin) + DynamicFeeRoundingOffset) / DynamicFeeScalingFactor;
    }

    /// <summary>
    /// base^exp in Q64.64 fixed point, exactly as the SDK's (and the program's) pow: square-and-multiply over the
    /// exponent's 19 low bits, working on the reciprocal when base ≥ 1. For base ≥ 0.
    /// </summary>
    internal static BigInteger Pow(BigInteger @base, int exp)
    {
        if (exp == 0)
        {
            return OneQ64;
        }

        bool invert = exp < 0;
        exp = Math.Abs(exp);
        if (exp > MaxExponential)
        {
            return BigInteger.Zero;
        }

        BigInteger squaredBase = @base;
        BigInteger result = OneQ64;
        if (squaredBase >= result)
        {
            squaredBase = U128Max / squaredBase;
            invert = !invert;
        }

        for (int bit = 0; bit < 19; bit++)
        {
            if (bit > 0)
            {
                squaredBase = (squaredBase * squaredBase) >> ScaleOffset;
            }

            if ((exp & (1 << bit)) != 0)
            {
                result = (result * squaredBase) >> ScaleOffset;
            }
        }

        if (result.IsZero)
        {
            return BigInteger.Zero;
        }

        return invert ? U128Max / result : result;
    }
}
