using System.Globalization;
using System.Numerics;
using System.Text;

namespace AccountGrains.Solana.Decoding.Meteora;

/// <summary>Exact ratios of big integers written as decimal strings.</summary>
internal static class DecimalText
{
    /// <summary>Significant digits of derived prices and percentages (Decimal.js's default precision, which the DAMM v2 SDK uses).</summary>
    public const int SignificantDigits = 20;

    private static readonly BigInteger[] PowersOfTen = Enumerable.Range(0, 128).Select(n => BigInteger.Pow(10, n)).ToArray();

    /// <summary>
    /// Writes <paramref name="numerator"/> / <paramref name="denominator"/> rounded to <paramref name="significantDigits"/>
    /// significant digits, halves away from zero (Decimal.js's ROUND_HALF_UP), in plain notation without an exponent and
    /// without trailing zeros: "0.25", "1234.5", "0.000000123", "12300". A ratio with no more significant digits than
    /// that is written exactly.
    /// </summary>
    public static string FormatRatio(BigInteger numerator, BigInteger denominator, int significantDigits = SignificantDigits)
    {
        if (denominator.IsZero)
        {
            throw new DivideByZeroException("a ratio's denominator is zero");
        }

        if (numerator.IsZero)
        {
            return "0";
        }

        bool negative = numerator.Sign != denominator.Sign;
        numerator = BigInteger.Abs(numerator);
        denominator = BigInteger.Abs(denominator);

        // Scale so the integer quotient has exactly significantDigits digits: q = n * 10^k / d.
        int exponent = (int)Math.Floor(BigInteger.Log10(numerator) - BigInteger.Log10(denominator));
        int k = significantDigits - 1 - exponent;
        BigInteger low = PowerOfTen(significantDigits - 1);
        BigInteger high = low * 10;
        BigInteger quotient;
        BigInteger remainder;
        BigInteger divisor;
        while (true)
        {
            BigInteger scaled = k >= 0 ? numerator * PowerOfTen(k) : numerator;
            divisor = k >= 0 ? denominator : denominator * PowerOfTen(-k);
            quotient = BigInteger.DivRem(scaled, divisor, out remainder);
            if (quotient >= high)
            {
                k--;
            }
            else if (quotient < low)
            {
                k++;
            }
            else
            {
                break;
            }
        }

        if (remainder * 2 >= divisor)
        {
            quotient++;
            if (quotient == high)
            {
                quotient = low;
                k--;
            }
        }

        return Place(quotient.ToString(CultureInfo.InvariantCulture), k, negative);
    }

    /// <summary>10^n, from a table for the exponents prices and percentages need.</summary>
    public static BigInteger PowerOfTen(int n)
    {
        return n < PowersOfTen.Length ? PowersOfTen[n] : BigInteger.Pow(10, n);
    }

    /// <summary>digits × 10^-scale in plain notation, trailing fractional zeros removed.</summary>
    private static string Place(string digits, int scale, bool negative)
    {
        var text = new StringBuilder(digits.Length + Math.Abs(scale) + 3);
        if (negative)
        {
            text.Append('-');
        }

        if (scale <= 0)
        {
            text.Append(digits).Append('0', -scale);
            return text.ToString();
        }

        if (scale >= digits.Length)
        {
            text.Append("0.").Append('0', scale - digits.Length).Append(digits);
        }
        else
        {
            text.Append(digits, 0, digits.Length - scale).Append('.').Append(digits, digits.Length - scale, scale);
        }

        int end = text.Length;
        while (text[end - 1] == '0')
        {
            end--;
        }

        if (text[end - 1] == '.')
        {
            end--;
        }

        text.Length = end;
        return text.ToString();
    }
}
