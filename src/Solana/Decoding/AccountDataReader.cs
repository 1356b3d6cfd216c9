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

    public ushort ReadU16(string field)
    {
        return BinaryPrimitives.ReadUInt16LittleEndian(Take(2, field));
    }

    public short ReadI16(string field)
    {
        return BinaryPrimitives.ReadInt16LittleEndian(Take(2, field));
    }

    public uint ReadU32(string field)
    {
        return BinaryPrimitives.ReadUInt32LittleEndian(Take(4, field));
    }

    public ulong ReadU64(string field)
    {
        return BinaryPrimitives.ReadUInt64LittleEndian(Take(8, field));
    }

    public long ReadI64(string field)
    {
        return BinaryPrimitives.ReadInt64LittleEndian(Take(8, field));
    }

    public double ReadF64(string field)
    {
        return BinaryPrimitives.ReadDoubleLittleEndian(Take(8, field));
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
    /// A Pod bool (spl-pod PodBool, Token-2022 extension flags): any non-zero byte is true, exactly as the program
    /// reads it, unlike the strict Rust bool of <see cref="ReadBool"/>.
    /// </summary>
    public bool ReadPodBool(string field)
    {
        return ReadU8(field) != 0;
    }

    /// <summary>An OptionalNonZeroPubkey (Token-2022 extensions): 32 bytes, all zero meaning none.</summary>
    public Pubkey? ReadOptionalNonZeroPubkey(string field)
    {
        Pubkey value = ReadPubkey(field);
        return value.IsDefault ? null : value;
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

    /// <summary>
    /// A borsh String or Vec&lt;u8&gt;: a u32 byte count and then that many bytes. A count past the end of the data is
    /// a truncation, however large, never an overflow.
    /// </summary>
    public ReadOnlySpan<byte> ReadLengthPrefixedBytes(string field)
    {
        int offset = Offset;
        uint count = ReadU32(field);
        if (count > (uint)Remaining)
        {
            throw new AccountDecodeException(
                $"{field} at offset {offset} claims {count} bytes but only {Remaining} are left")
            {
                Reason = DecodeFailure.Truncated,
            };
        }

        return Take((int)count, field);
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
