using System.Numerics;
using AccountGrains.Solana.Transactions;

namespace AccountGrains.Solana.Tests.Transactions;

public sealed class TokenAmountTests
{
    [Theory]
    [InlineData("18446744073709551615", 9, "18446744073.709551615")]
    [InlineData("-18446744073709551615", 9, "-18446744073.709551615")]
    [InlineData("1500000000", 9, "1.5")]
    [InlineData("-5000", 9, "-0.000005")]
    [InlineData("212400000", 6, "212.4")]
    [InlineData("1000", 5, "0.01")]
    [InlineData("0", 6, "0")]
    [InlineData("42", 0, "42")]
    [InlineData("100", 2, "1")]
    [InlineData("36893488147419103230", 18, "36.89348814741910323")]
    public void Amounts_are_scaled_exactly(string raw, int decimals, string expected)
    {
        TokenAmount.Format(BigInteger.Parse(raw, System.Globalization.CultureInfo.InvariantCulture), decimals).Should().Be(expected);
    }
}
