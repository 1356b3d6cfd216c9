using AccountGrains.Solana.Decoding;

namespace AccountGrains.Solana.Tests.Decoding;

public sealed class AccountDataReaderTests
{
    [Fact]
    public void Reads_fields_little_endian_in_order()
    {
        byte[] data = [0x01, 0x02, 0x03, 0x04, 0x05, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, 0x01];
        var reader = new AccountDataReader(data);

        reader.ReadU8("a").Should().Be(0x01);
        reader.ReadU32("b").Should().Be(0x05040302u);
        reader.ReadU64("c").Should().Be(0x0807060504030201ul);
        reader.ReadBool("d").Should().BeTrue();
        reader.Offset.Should().Be(14);
        reader.Remaining.Should().Be(0);
    }

    [Fact]
    public void Running_off_the_end_names_the_field_and_offset()
    {
        string message = ReadAfterSkipping(new byte[10], skip: 4, read: (ref AccountDataReader r) => r.ReadU64("supply"));

        message.Should().Be("unexpected end of data at offset 4 reading supply: need 8 bytes, 6 left");
    }

    [Fact]
    public void Running_off_the_end_of_empty_data_reports_offset_zero()
    {
        string message = ReadAfterSkipping([], skip: 0, read: (ref AccountDataReader r) => r.ReadPubkey("mint"));

        message.Should().Be("unexpected end of data at offset 0 reading mint: need 32 bytes, 0 left");
    }

    [Fact]
    public void Optional_values_follow_the_COption_tag_and_always_consume_their_slot()
    {
        var data = new byte[36 + 12];
        Pubkey.Parse("TokenkegQfeZyiNwAJbNbGKPFXCWuBvf9Ss623VQ5DA").CopyTo(data.AsSpan(4));
        data[36] = 1;
        data[40] = 42;
        var reader = new AccountDataReader(data);

        reader.ReadOptionalPubkey("key").Should().BeNull();
        reader.Offset.Should().Be(36);
        reader.ReadOptionalU64("amount").Should().Be(42);
        reader.Offset.Should().Be(48);
    }

    [Fact]
    public void Bool_bytes_other_than_0_or_1_are_rejected()
    {
        string message = ReadAfterSkipping([0, 0, 5], skip: 2, read: (ref AccountDataReader r) => r.ReadBool("is_initialized"));

        message.Should().Be("is_initialized byte 5 at offset 2 is not 0 (false) or 1 (true)");
    }

    private delegate void ReadAction(ref AccountDataReader reader);

    private static string ReadAfterSkipping(byte[] data, int skip, ReadAction read)
    {
        var reader = new AccountDataReader(data);
        reader.ReadBytes(skip, "skipped");
        try
        {
            read(ref reader);
        }
        catch (AccountDecodeException ex)
        {
            return ex.Message;
        }

        throw new InvalidOperationException("the read was expected to fail");
    }
}
