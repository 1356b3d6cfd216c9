using System.Runtime.CompilerServices;

namespace AccountGrains.Solana.Tests;

public sealed class PubkeyTests
{
    private const string SplToken = "TokenkegQfeZyiNwAJbNbGKPFXCWuBvf9Ss623VQ5DA";
    private const string SplTokenHex = "06ddf6e1d765a193d9cbe146ceeb79ac1cb485ed5f5b37913a8cf5857eff00a9";

    [Fact]
    public void Parse_gives_the_program_id_bytes_and_ToString_gives_the_text_back()
    {
        Pubkey key = Pubkey.Parse(SplToken);

        key.ToArray().Should().Equal(Convert.FromHexString(SplTokenHex));
        key.ToString().Should().Be(SplToken);
    }

    [Fact]
    public void Default_is_the_all_zero_key_written_as_thirty_two_1s()
    {
        Pubkey.Default.IsDefault.Should().BeTrue();
        Pubkey.Default.ToString().Should().Be(new string('1', 32));
        Pubkey.Parse(new string('1', 32)).Should().Be(Pubkey.Default);
        Pubkey.Parse(SplToken).IsDefault.Should().BeFalse();
    }

    [Fact]
    public void A_key_with_one_leading_zero_byte_round_trips_with_one_leading_1()
    {
        byte[] bytes = Convert.FromHexString(SplTokenHex);
        bytes[0] = 0;

        string text = new Pubkey(bytes).ToString();

        text.Should().StartWith("1").And.NotStartWith("11");
        Pubkey.Parse(text).ToArray().Should().Equal(bytes);
    }

    [Fact]
    public void Random_keys_round_trip_through_text_and_bytes()
    {
        var random = new Random(3232);
        var bytes = new byte[32];
        for (int i = 0; i < 2000; i++)
        {
            random.NextBytes(bytes);
            bytes.AsSpan(0, random.Next(0, 3)).Clear();
            var key = new Pubkey(bytes);

            string text = key.ToString();

            text.Length.Should().BeInRange(Pubkey.MinBase58Length, Pubkey.MaxBase58Length);
            Pubkey.Parse(text).Should().Be(key);
            Pubkey.TryParse(text.AsSpan(), out Pubkey fromSpan).Should().BeTrue();
            fromSpan.Should().Be(key);
            key.ToArray().Should().Equal(bytes);
        }
    }

    [Fact]
    public void Parse_rejects_empty_text()
    {
        Action parse = () => Pubkey.Parse("");

        parse.Should().Throw<FormatException>().Which.Message.Should().Be(
            "pubkey is empty; a pubkey is 32 to 44 base58 characters");
    }

    [Fact]
    public void Parse_rejects_text_longer_than_any_key()
    {
        string text = SplToken + "ab";

        Action parse = () => Pubkey.Parse(text);

        parse.Should().Throw<FormatException>().Which.Message.Should().Be(
            $"pubkey '{text}' is 45 characters long; a pubkey is 32 to 44 base58 characters");
    }

    [Fact]
    public void Parse_names_the_invalid_character_and_its_position()
    {
        string text = "Tokenl" + SplToken[6..];

        Action parse = () => Pubkey.Parse(text);

        parse.Should().Throw<FormatException>().Which.Message.Should().Be(
            $"pubkey '{text}' is not valid base58: character 'l' at position 5 is not in the base58 alphabet " +
            "(base58 leaves out 0, O, I and l because they look alike)");
    }

    [Fact]
    public void Parse_does_not_trim_whitespace_and_says_so_by_code_point()
    {
        Action parse = () => Pubkey.Parse(" " + SplToken);

        parse.Should().Throw<FormatException>().Which.Message.Should().Be(
            $"pubkey ' {SplToken}' is not valid base58: character U+0020 at position 0 is not in the base58 alphabet");
    }

    [Theory]
    [InlineData("1111111111111111111111111111111", 31)]
    [InlineData("2g", 1)]
    [InlineData("zzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzz", 33)]
    public void Parse_rejects_text_that_decodes_to_the_wrong_number_of_bytes(string text, int length)
    {
        Action parse = () => Pubkey.Parse(text);

        string bytes = length == 1 ? "1 byte" : $"{length} bytes";
        parse.Should().Throw<FormatException>().Which.Message.Should().Be(
            $"pubkey '{text}' decodes to {bytes}; a pubkey is 32 bytes");
    }

    [Fact]
    public void Parse_rejects_null_as_an_argument_error()
    {
        Action parse = () => Pubkey.Parse(null!);

        parse.Should().Throw<ArgumentNullException>();
    }

    [Fact]
    public void TryParse_reports_the_same_reason_without_throwing()
    {
        Pubkey.TryParse("2g", out Pubkey key, out string? error).Should().BeFalse();
        key.Should().Be(Pubkey.Default);
        error.Should().Be("pubkey '2g' decodes to 1 byte; a pubkey is 32 bytes");

        Pubkey.TryParse(null, out _, out string? nullError).Should().BeFalse();
        nullError.Should().Be("pubkey is missing (null); a pubkey is 32 to 44 base58 characters");

        Pubkey.TryParse(SplToken, out Pubkey parsed, out string? noError).Should().BeTrue();
        noError.Should().BeNull();
        parsed.ToString().Should().Be(SplToken);
    }

    [Fact]
    public void TryParse_of_a_span_rejects_what_Parse_rejects()
    {
        Pubkey.TryParse("".AsSpan(), out _).Should().BeFalse();
        Pubkey.TryParse("2g".AsSpan(), out _).Should().BeFalse();
        Pubkey.TryParse(("0" + SplToken[1..]).AsSpan(), out _).Should().BeFalse();
        Pubkey.TryParse((SplToken + "a").AsSpan(), out _).Should().BeFalse();
    }

    [Fact]
    public void Constructor_demands_exactly_32_bytes()
    {
        Action tooShort = () => _ = new Pubkey(new byte[31]);
        Action tooLong = () => _ = new Pubkey(new byte[33]);

        tooShort.Should().Throw<ArgumentException>().Which.Message.Should().StartWith(
            "a pubkey is 32 bytes; got 31. Use Pubkey.Read to take the first 32 bytes of a longer buffer.");
        tooLong.Should().Throw<ArgumentException>().Which.Message.Should().StartWith("a pubkey is 32 bytes; got 33.");
    }

    [Fact]
    public void Read_takes_the_first_32_bytes_of_a_longer_buffer()
    {
        byte[] buffer = [.. Convert.FromHexString(SplTokenHex), 0xEE, 0xEE];

        Pubkey.Read(buffer).ToString().Should().Be(SplToken);
    }

    [Fact]
    public void Read_and_CopyTo_reject_buffers_shorter_than_32_bytes()
    {
        Action read = () => Pubkey.Read(new byte[10]);
        Action copy = () => Pubkey.Default.CopyTo(new byte[31]);

        read.Should().Throw<ArgumentException>().Which.Message.Should().StartWith(
            "reading a pubkey needs 32 bytes; the source has 10");
        copy.Should().Throw<ArgumentException>().Which.Message.Should().StartWith(
            "copying a pubkey needs 32 bytes; the destination has 31");
    }

    [Fact]
    public void CopyTo_writes_the_bytes_and_leaves_the_rest_of_the_destination_alone()
    {
        var destination = new byte[34];
        destination[32] = 0xAB;

        Pubkey.Parse(SplToken).CopyTo(destination);

        destination[..32].Should().Equal(Convert.FromHexString(SplTokenHex));
        destination[32].Should().Be(0xAB);
    }

    [Fact]
    public void Equal_keys_are_equal_and_hash_alike_and_different_keys_are_not()
    {
        Pubkey a = Pubkey.Parse(SplToken);
        Pubkey same = new(Convert.FromHexString(SplTokenHex));
        byte[] lastByteChanged = Convert.FromHexString(SplTokenHex);
        lastByteChanged[31] ^= 1;
        Pubkey other = new(lastByteChanged);

        (a == same).Should().BeTrue();
        a.Equals((object)same).Should().BeTrue();
        a.GetHashCode().Should().Be(same.GetHashCode());
        (a != other).Should().BeTrue();
        a.Equals(other).Should().BeFalse();
        a.Equals("not a key").Should().BeFalse();
    }

    [Fact]
    public void Keys_order_by_their_bytes_lexicographically()
    {
        var random = new Random(77);
        var keys = new List<byte[]>();
        for (int i = 0; i < 300; i++)
        {
            var bytes = new byte[32];
            random.NextBytes(bytes);
            keys.Add(bytes);
        }

        // Pairs that differ in one byte with the high bit set catch signed word comparisons.
        byte[] low = new byte[32];
        low[8] = 0x7F;
        byte[] high = new byte[32];
        high[8] = 0x80;
        keys.Add(low);
        keys.Add(high);

        List<string> byBytes = keys.Order(Comparer<byte[]>.Create((x, y) => x.AsSpan().SequenceCompareTo(y)))
            .Select(b => new Pubkey(b).ToString()).ToList();
        List<string> byKey = keys.Select(b => new Pubkey(b)).Order().Select(k => k.ToString()).ToList();

        byKey.Should().Equal(byBytes);
        (new Pubkey(low) < new Pubkey(high)).Should().BeTrue();
        (new Pubkey(high) >= new Pubkey(low)).Should().BeTrue();
        (new Pubkey(low) <= new Pubkey(low)).Should().BeTrue();
        (new Pubkey(low) > new Pubkey(high)).Should().BeFalse();
    }

    [Fact]
    public void A_key_is_32_bytes_inline_with_no_heap_reference()
    {
        Unsafe.SizeOf<Pubkey>().Should().Be(32);
        RuntimeHelpers.IsReferenceOrContainsReferences<Pubkey>().Should().BeFalse();
    }
}
