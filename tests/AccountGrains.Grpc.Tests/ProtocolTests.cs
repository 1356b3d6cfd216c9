using AccountGrains.Grpc.Internal;

namespace AccountGrains.Grpc.Tests;

public sealed class ProtocolTests
{
    [Theory]
    [InlineData(1, "1m")]
    [InlineData(1.2, "2m")]
    [InlineData(30_000, "30000m")]
    [InlineData(99_999_999, "99999999m")]
    [InlineData(100_000_000, "100000S")]
    [InlineData(432_000_000_000, "7200000M")]
    [InlineData(8_640_000_000_000, "2400000H")]
    public void A_timeout_is_sent_in_at_most_eight_digits_rounded_up(double milliseconds, string expected)
    {
        GrpcProtocol.EncodeTimeout(TimeSpan.FromMilliseconds(milliseconds)).Should().Be(expected);
    }

    [Theory]
    [InlineData("plain text", "plain text")]
    [InlineData("from_slot%20too old", "from_slot too old")]
    [InlineData("%E2%9C%93 done", "✓ done")]
    [InlineData("100%", "100%")]
    [InlineData("50%zz", "50%zz")]
    [InlineData("broken %C3", "broken %C3")]
    public void Grpc_message_is_percent_decoded_and_malformed_input_is_kept_as_received(string raw, string expected)
    {
        GrpcProtocol.PercentDecode(raw).Should().Be(expected);
    }

    [Theory]
    [InlineData("0", StatusCode.OK)]
    [InlineData("11", StatusCode.OutOfRange)]
    [InlineData("16", StatusCode.Unauthenticated)]
    [InlineData("17", StatusCode.Unknown)]
    [InlineData("abc", StatusCode.Internal)]
    [InlineData("-1", StatusCode.Internal)]
    public void Grpc_status_values_map_to_codes_and_unknown_numbers_to_unknown(string value, StatusCode expected)
    {
        GrpcProtocol.ParseStatus(value, null)!.Value.StatusCode.Should().Be(expected);
    }

    [Theory]
    [InlineData("X-Token")]
    [InlineData("grpc-status")]
    [InlineData("content-type")]
    [InlineData("bad key")]
    [InlineData("")]
    public void Metadata_rejects_keys_that_are_invalid_or_reserved(string key)
    {
        Action add = () => new Metadata().Add(key, "value");

        add.Should().Throw<ArgumentException>();
    }

    [Fact]
    public void Metadata_rejects_a_non_ascii_value_without_repeating_it()
    {
        Action add = () => new Metadata().Add("x-token", "sécret\n");

        add.Should().Throw<ArgumentException>().Which.Message.Should().Contain("x-token").And.NotContain("sécret");
    }
}
