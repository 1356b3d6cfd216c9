using System.Globalization;
using System.Numerics;
using System.Text.Json.Nodes;

using AccountGrains.Solana.Decoding;

namespace AccountGrains.Solana.Tests.Decoding.Anchor;

/// <summary>Walks two JSON values side by side and lists every difference by its path.</summary>
internal static class JsonCompare
{
    public static void Collect(JsonNode? expected, JsonNode? actual, string path, List<string> differences)
    {
        if (expected is JsonObject expectedObject && actual is JsonObject actualObject)
        {
            foreach (string name in expectedObject.Select(p => p.Key).Union(actualObject.Select(p => p.Key)))
            {
                string child = path.Length == 0 ? name : $"{path}.{name}";
                if (!expectedObject.ContainsKey(name))
                {
                    differences.Add($"{child} is not expected but was {Show(actualObject[name])}");
                }
                else if (!actualObject.ContainsKey(name))
                {
                    differences.Add($"{child} expected {Show(expectedObject[name])} but is missing");
                }
                else
                {
                    Collect(expectedObject[name], actualObject[name], child, differences);
                }
            }

            return;
        }

        if (expected is JsonArray expectedArray && actual is JsonArray actualArray && expectedArray.Count == actualArray.Count)
        {
            for (int i = 0; i < expectedArray.Count; i++)
            {
                Collect(expectedArray[i], actualArray[i], $"{path}[{i}]", differences);
            }

            return;
        }

        if (!JsonNode.DeepEquals(expected, actual))
        {
            differences.Add($"{path} expected {Show(expected)} but was {Show(actual)}");
        }
    }

    public static string Show(JsonNode? node) => node?.ToJsonString() ?? "null";
}

/// <summary>An exact fraction, for checking decimal strings against exact values without floating point.</summary>
internal readonly record struct Rational(BigInteger Numerator, BigInteger Denominator)
{
    /// <summary>Parses plain decimal notation ("-12.345", "0.0001", "12300"), as the decoder and Decimal.toFixed() write it.</summary>
    public static Rational Parse(string text)
    {
        int point = text.IndexOf('.', StringComparison.Ordinal);
        string digits = point < 0 ? text : text.Remove(point, 1);
        int scale = point < 0 ? 0 : text.Length - point - 1;
        return new Rational(BigInteger.Parse(digits, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture), BigInteger.Pow(10, scale));
    }

    public static Rational Of(string numerator, BigInteger times, BigInteger denominator)
    {
        return new Rational(BigInteger.Parse(numerator, CultureInfo.InvariantCulture) * times, denominator);
    }

    /// <summary>|this − other| ≤ tolerance × |other|, with tolerance = 1 / <paramref name="inverseTolerance"/>.</summary>
    public bool IsWithin(Rational other, BigInteger inverseTolerance)
    {
        BigInteger difference = BigInteger.Abs((Numerator * other.Denominator) - (other.Numerator * Denominator));
        return difference * inverseTolerance <= BigInteger.Abs(other.Numerator) * Denominator;
    }

    public bool EqualsExactly(Rational other) => Numerator * other.Denominator == other.Numerator * Denominator;

    public override string ToString() => $"{Numerator}/{Denominator}";
}

/// <summary>Mint decimals a test sets up.</summary>
internal sealed class FakeMints : IMintDecimalsLookup
{
    private readonly Dictionary<Pubkey, byte> _decimals = [];

    public void Set(Pubkey mint, byte decimals) => _decimals[mint] = decimals;

    public bool TryGetDecimals(Pubkey mint, out byte decimals) => _decimals.TryGetValue(mint, out decimals);
}
