using System.Buffers.Binary;

namespace AccountGrains.Solana.Decoding;

/// <summary>
/// Reads little-endian fields front to back. Running off the end throws an
/// <see cref="AccountDecodeException"/> naming the field and offset, never IndexOutOfRangeException,
/// so truncated data always produces a useful decode error.
/// </summary>
internal ref struct AccountDataReader
{
    private readonly ReadOnlySpan<byte> _data;

    public AccountDataReader(ReadOnlySpan<byte> data)
    {
        _data = data;
        Offset = 0;
    }

    public int Offset { get; private set; }

    public readonly int Remaining => _data.Length - Offset;

    public byte ReadU8(string field)
    {
        return Take(1, field)[0];
    }

    public uint ReadU32(string field)
    {
        return BinaryPrimitives.ReadUInt32LittleEndian(Take(4, field));
    }

    public ulong ReadU64(string field)
    {
        return BinaryPrimitives.ReadUInt64LittleEndian(Take(8, field));
    }

    public Pubkey ReadPubkey(string field)
    {
        return new Pubkey(Take(Pubkey.Length, field));
    }

    /// <summary>A Rust bool byte: only 0 and 1 are valid, as the token program itself insists.</summary>
    public bool ReadBool(string field)
    {
        int offset = Offset;
        byte value = ReadU8(field);
        return value switch
        {
            0 => false,
            1 => true,
            _ => throw new AccountDecodeException($"{field} byte {value} at offset {offset} is not 0 (false) or 1 (true)"),
        };
    }

    /// <summary>
    /// A solana_program COption&lt;Pubkey&gt;: a u32 tag (0 none, 1 some) and then 32 bytes that are
    /// present either way. The bytes behind a "none" tag are ignored, as the program ignores them.
    /// </summary>
    public Pubkey? ReadOptionalPubkey(string field)
    {
        bool present = ReadOptionTag(field);
        Pubkey value = ReadPubkey(field);
        return present ? value : null;
    }

    /// <summary>A COption&lt;u64&gt;: a u32 tag (0 none, 1 some) and then 8 bytes that are present either way.</summary>
    public ulong? ReadOptionalU64(string field)
    {
        bool present = ReadOptionTag(field);
        ulong value = ReadU64(field);
        return present ? value : null;
    }

    public ReadOnlySpan<byte> ReadBytes(int count, string field)
    {
        return Take(count, field);
    }

    private bool ReadOptionTag(string field)
    {
        int offset = Offset;
        uint tag = ReadU32(field);
        return tag switch
        {
            0 => false,
            1 => true,
            _ => throw new AccountDecodeException($"{field} option tag {tag} at offset {offset} is not 0 (none) or 1 (some)"),
        };
    }

    private ReadOnlySpan<byte> Take(int count, string field)
    {
        if (count > Remaining)
        {
            throw new AccountDecodeException(
                $"unexpected end of data at offset {Offset} reading {field}: need {count} bytes, {Remaining} left")
            {
                Reason = DecodeFailure.Truncated,
            };
        }

        ReadOnlySpan<byte> slice = _data.Slice(Offset, count);
        Offset += count;
        return slice;
    }
}
