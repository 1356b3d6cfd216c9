using System.Numerics;

using AccountGrains.Solana.Decoding.Meteora;

namespace AccountGrains.Solana.Tests.Decoding.Anchor;

public sealed class DecimalTextTests
{
    [Theory]
    [InlineData("1", "4", "0.25")]
    [InlineData("-1", "4", "-0.25")]
    [InlineData("1", "-8", "-0.125")]
    [InlineData("0", "7", "0")]
    [InlineData("1230", "1", "1230")]
    [InlineData("10000000000000000000000000", "1", "10000000000000000000000000")]
    [InlineData("1", "3", "0.33333333333333333333")]
    [InlineData("2", "3", "0.66666666666666666667")]
    [InlineData("123456789012345678901234", "1", "123456789012345678900000")]
    [InlineData("123456789012345678951234", "1", "123456789012345678950000")]
    [InlineData("123456789012345678950", "1", "123456789012345678950")]
    [InlineData("1234567890123456789050", "1", "1234567890123456789100")]
    [InlineData("199999999999999999999", "2", "100000000000000000000")]
    [InlineData("5", "1000000000000000000000", "0.000000000000000000005")]
    public void Ratios_are_written_to_20_significant_digits_rounding_halves_up(string numerator, string denominator, string expected)
    {
        DecimalText.FormatRatio(BigInteger.Parse(numerator), BigInteger.Parse(denominator)).Should().Be(expected);
    }

    [Theory]
    [InlineData(5, 2, 1, "3")]
    [InlineData(-5, 2, 1, "-3")]
    [InlineData(949, 1000, 2, "0.95")]
    [InlineData(999, 1, 2, "1000")]
    public void Fewer_significant_digits_round_the_same_way(int numerator, int denominator, int digits, string expected)
    {
        DecimalText.FormatRatio(numerator, denominator, digits).Should().Be(expected);
    }

    [Fact]
    public void Every_ratio_is_within_half_a_unit_of_its_last_digit()
    {
        var random = new Random(42);
        for (int i = 0; i < 2000; i++)
        {
            BigInteger numerator = RandomBig(random);
            BigInteger denominator = RandomBig(random) + 1;
            string text = DecimalText.FormatRatio(numerator, denominator);

            var ours = Rational.Parse(text);
            var exact = new Rational(numerator, denominator);
            if (numerator.IsZero)
            {
                text.Should().Be("0");
                continue;
            }

            ours.IsWithin(exact, BigInteger.Pow(10, 19) * 2).Should().BeTrue($"{text} is {numerator}/{denominator} to 20 digits");
            text.Replace(".", string.Empty, StringComparison.Ordinal).TrimStart('0').TrimEnd('0').Length.Should().BeLessThanOrEqualTo(20);
        }
    }

    private static BigInteger RandomBig(Random random)
    {
        var bytes = new byte[random.Next(1, 40)];
        random.NextBytes(bytes);
        return new BigInteger(bytes, isUnsigned: true);
    }
}
