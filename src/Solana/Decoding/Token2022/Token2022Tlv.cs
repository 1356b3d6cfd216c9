using System.Buffers.Binary;

namespace AccountGrains.Solana.Decoding.Token2022;

/// <summary>One TLV entry of a Token-2022 mint or account: its extension type and where its value lies in the account data.</summary>
internal readonly record struct Token2022TlvEntry(ushort Type, int Offset, int ValueStart, int Length)
{
    public int ValueEnd => ValueStart + Length;
}

/// <summary>
/// Walks the TLV entries behind the account type byte exactly as spl-token-2022 does
/// (extension/mod.rs, try_for_each_tlv_extension_type): a u16 LE type, a u16 LE length and the value. The walk ends
/// at the end of the data, when fewer than two bytes are left (spare space from a realloc), or at an entry of type 0
/// (Uninitialized: the program writes nothing after one, so it is padding). An entry whose header or value runs past
/// the end is a truncation.
/// </summary>
internal ref struct Token2022TlvReader
{
    /// <summary>The AccountType byte of a mint or account with extensions; mints are zero-padded up to it.</summary>
    public const int AccountTypeOffset = TokenLayouts.AccountLength;

    /// <summary>Where the first TLV entry starts.</summary>
    public const int TlvStart = AccountTypeOffset + 1;

    private const int TypeSize = 2;
    private const int HeaderSize = 4;

    private readonly ReadOnlySpan<byte> _data;
    private int _offset;

    /// <summary>Walks the entries of <paramref name="data"/>, the whole account data (offsets in messages are the account's).</summary>
    public Token2022TlvReader(ReadOnlySpan<byte> data)
    {
        _data = data;
        _offset = TlvStart;
    }

    public bool TryNext(out Token2022TlvEntry entry)
    {
        entry = default;
        int left = _data.Length - _offset;
        if (left < TypeSize)
        {
            return false;
        }

        ushort type = BinaryPrimitives.ReadUInt16LittleEndian(_data.Slice(_offset, TypeSize));
        if (type == Token2022Extensions.UninitializedType)
        {
            return false;
        }

        if (left < HeaderSize)
        {
            throw new AccountDecodeException(
                $"{Token2022Extensions.Describe(type)} at offset {_offset} has no length: only {left} bytes are left")
            {
                Reason = DecodeFailure.Truncated,
            };
        }

        ushort length = BinaryPrimitives.ReadUInt16LittleEndian(_data.Slice(_offset + TypeSize, TypeSize));
        int valueStart = _offset + HeaderSize;
        int available = _data.Length - valueStart;
        if (length > available)
        {
            throw new AccountDecodeException(
                $"{Token2022Extensions.Describe(type)} at offset {_offset} has length {length} but only {available} bytes follow")
            {
                Reason = DecodeFailure.Truncated,
            };
        }

        entry = new Token2022TlvEntry(type, _offset, valueStart, length);
        _offset = valueStart + length;
        return true;
    }
}
