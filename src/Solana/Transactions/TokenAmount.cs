using System.Globalization;
using System.Numerics;

namespace AccountGrains.Solana.Transactions;

/// <summary>Exact decimal text for base-unit amounts (no floating point: u64 amounts with 9 decimals keep every digit).</summary>
public static class TokenAmount
{
    /// <summary>
    /// <paramref name="raw"/> scaled down by 10^<paramref name="decimals"/>, without trailing zeros:
    /// (1500000000, 9) is "1.5", (-5000, 9) is "-0.000005", (212400000, 6) is "212.4".
    /// </summary>
    public static string Format(BigInteger raw, int decimals)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(decimals);
        string digits = BigInteger.Abs(raw).ToString(CultureInfo.InvariantCulture);
        string sign = raw.Sign < 0 ? "-" : string.Empty;
        if (decimals == 0)
        {
            return sign + digits;
        }

        digits = digits.PadLeft(decimals + 1, '0');
        string whole = digits[..^decimals];
        string fraction = digits[^decimals..].TrimEnd('0');
        return fraction.Length == 0 ? sign + whole : $"{sign}{whole}.{fraction}";
    }
}
