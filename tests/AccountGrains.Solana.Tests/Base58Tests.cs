using AccountGrains.Solana.Tests.TestSupport;

namespace AccountGrains.Solana.Tests;

public sealed class Base58Tests
{
    // Bitcoin Core's base58_encode_decode.json vectors, re-checked with the bs58 package that web3.js uses.
    [Theory]
    [InlineData("", "")]
    [InlineData("61", "2g")]
    [InlineData("626262", "a3gV")]
    [InlineData("636363", "aPEr")]
    [InlineData("73696d706c792061206c6f6e6720737472696e67", "2cFupjhnEsSn59qHXstmK2ffpLv2")]
    [InlineData("00eb15231dfceb60925886b67d065299925915aeb172c06647", "1NS17iag9jJgTHD1VXjvLCEnZuQ3rJDE9L")]
    [InlineData("516b6fcd0f", "ABnLTmg")]
    [InlineData("bf4f89001e670274dd", "3SEo3LWLoPntC")]
    [InlineData("572e4794", "3EFU7m")]
    [InlineData("ecac89cad93923c02321", "EJDM8drfXA6uyA")]
    [InlineData("10c8511e", "Rt5zm")]
    [InlineData("00000000000000000000", "1111111111")]
    [InlineData(
        "000111d38e5fc9071ffcd20b4a763cc9ae4f252bb4e48fd66a835e252ada93ff480d6dd43dc62a641155a5",
        "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz")]
    [InlineData("ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff", "JEKNVnkbo3jma5nREBBJCDoXFVeKkD56V3xKrvRmWxFG")]
    [InlineData("0000000000000000000000000000000000000000000000000000000000000001", "11111111111111111111111111111112")]
    public void Known_vectors_encode_and_decode(string hex, string base58)
    {
        byte[] bytes = Convert.FromHexString(hex);

        Base58.Encode(bytes).Should().Be(base58);
        Base58.Decode(base58).Should().Equal(bytes);
    }

    [Fact]
    public void Each_leading_zero_byte_is_one_leading_1_and_back()
    {
        byte[] bytes = [0, 0, 0, 0x61];

        Base58.Encode(bytes).Should().Be("1112g");
        Base58.Decode("1112g").Should().Equal(bytes);
    }

    [Fact]
    public void Thirty_two_zero_bytes_are_thirty_two_1s()
    {
        Base58.Encode(new byte[32]).Should().Be(new string('1', 32));
        Base58.Decode(new string('1', 32)).Should().Equal(new byte[32]);
    }

    [Theory]
    [InlineData("abl", 'l', 2)]
    [InlineData("0abc", '0', 0)]
    [InlineData("abcO", 'O', 3)]
    [InlineData("aIb", 'I', 1)]
    public void Decode_names_a_look_alike_character_and_its_position(string text, char bad, int position)
    {
        Action decode = () => Base58.Decode(text);

        decode.Should().Throw<FormatException>().Which.Message.Should().Be(
            $"'{text}' is not valid base58: character '{bad}' at position {position} is not in the base58 alphabet " +
            "(base58 leaves out 0, O, I and l because they look alike)");
    }

    [Fact]
    public void Decode_shows_whitespace_and_non_ascii_characters_as_code_points()
    {
        Action space = () => Base58.Decode("ab c");
        Action accent = () => Base58.Decode("abé");
        Action newline = () => Base58.Decode("ab\n");

        space.Should().Throw<FormatException>().Which.Message.Should().Be(
            "'ab c' is not valid base58: character U+0020 at position 2 is not in the base58 alphabet");
        accent.Should().Throw<FormatException>().Which.Message.Should().Be(
            "'ab\\u00E9' is not valid base58: character U+00E9 at position 2 is not in the base58 alphabet");
        newline.Should().Throw<FormatException>().Which.Message.Should().Be(
            "'ab\\u000A' is not valid base58: character U+000A at position 2 is not in the base58 alphabet");
    }

    [Fact]
    public void Decode_error_cuts_long_input_and_says_how_long_it_was()
    {
        string text = new string('a', 100) + "!";

        Action decode = () => Base58.Decode(text);

        decode.Should().Throw<FormatException>().Which.Message.Should().Be(
            $"'{new string('a', 64)}...' (101 characters) is not valid base58: " +
            "character '!' at position 100 is not in the base58 alphabet");
    }

    [Fact]
    public void Decode_rejects_null_as_an_argument_error()
    {
        Action decode = () => Base58.Decode(null!);

        decode.Should().Throw<ArgumentNullException>();
    }

    [Fact]
    public void TryDecode_writes_into_a_destination_of_exact_size()
    {
        Span<byte> destination = stackalloc byte[4];

        bool decoded = Base58.TryDecode("1112g", destination, out int written);

        decoded.Should().BeTrue();
        written.Should().Be(4);
        destination.ToArray().Should().Equal(0, 0, 0, 0x61);
    }

    [Fact]
    public void TryDecode_fails_when_the_destination_is_too_short()
    {
        Span<byte> destination = stackalloc byte[3];

        Base58.TryDecode("1112g", destination, out int written).Should().BeFalse();
        written.Should().Be(0);
    }

    [Fact]
    public void TryDecode_fails_on_a_character_outside_the_alphabet()
    {
        Span<byte> destination = stackalloc byte[16];

        Base58.TryDecode("2g0", destination, out int written).Should().BeFalse();
        written.Should().Be(0);
    }

    [Fact]
    public void TryEncodeToUtf8_writes_ascii_and_fails_when_the_destination_is_too_short()
    {
        byte[] data = Convert.FromHexString("626262");
        var exact = new byte[4];
        var tooShort = new byte[3];

        Base58.TryEncodeToUtf8(data, exact, out int written).Should().BeTrue();
        written.Should().Be(4);
        exact.Should().Equal("a3gV"u8.ToArray());
        Base58.TryEncodeToUtf8(data, tooShort, out int none).Should().BeFalse();
        none.Should().Be(0);
    }

    [Theory]
    [InlineData(0, 1)]
    [InlineData(32, 45)]
    [InlineData(64, 89)]
    public void Max_encoded_length_covers_the_worst_case(int byteCount, int expected)
    {
        Base58.GetMaxEncodedLength(byteCount).Should().Be(expected);
        Base58.Encode(Enumerable.Repeat((byte)0xff, byteCount).ToArray()).Length.Should().BeLessThanOrEqualTo(expected);
    }

    [Fact]
    public void Random_bytes_match_the_reference_encoder_and_round_trip()
    {
        var random = new Random(5801);
        for (int i = 0; i < 4000; i++)
        {
            var bytes = new byte[random.Next(0, 80)];
            random.NextBytes(bytes);
            bytes.AsSpan(0, random.Next(0, Math.Min(4, bytes.Length) + 1)).Clear();

            string encoded = Base58.Encode(bytes);

            encoded.Should().Be(ReferenceBase58.Encode(bytes), "bytes {0}", Convert.ToHexString(bytes));
            Base58.Decode(encoded).Should().Equal(bytes, "'{0}' should decode back", encoded);
        }
    }

    [Theory]
    [InlineData(465)]
    [InlineData(1000)]
    public void Long_inputs_beyond_the_stack_buffers_round_trip(int length)
    {
        var bytes = new byte[length];
        new Random(length).NextBytes(bytes);
        bytes[0] = 0;

        string encoded = Base58.Encode(bytes);

        encoded.Should().Be(ReferenceBase58.Encode(bytes));
        Base58.Decode(encoded).Should().Equal(bytes);
    }
}
