using System.Buffers.Binary;

using AccountGrains.Solana.Decoding;
using AccountGrains.Solana.Tests.TestSupport;

namespace AccountGrains.Solana.Tests.Decoding.Token2022;

/// <summary>
/// Byte writers the Token-2022 tests need beyond <see cref="Layout"/>, and one fixed base mint and base account, so
/// each extension test spells out only the bytes of its own entry.
/// </summary>
internal static class Token2022Bytes
{
    /// <summary>Offset of the AccountType byte; the first TLV entry starts right after it, at <see cref="TlvStart"/>.</summary>
    public const int AccountTypeOffset = 165;
    public const int TlvStart = 166;

    /// <summary>The first entry's value starts behind its u16 type and u16 length.</summary>
    public const int FirstValue = TlvStart + 4;

    /// <summary>The JSON that <see cref="WriteBaseMint"/>'s bytes decode to, up to its "extensions".</summary>
    public const string BaseMintJson =
        $$"""{"mint_authority":"{{Layout.KeyA}}","supply":"1000000","decimals":6,"is_initialized":true,"freeze_authority":null""";

    /// <summary>The JSON that <see cref="WriteBaseAccount"/>'s bytes decode to, up to its "extensions".</summary>
    public const string BaseAccountJson =
        $$"""{"mint":"{{Layout.KeyB}}","owner":"{{Layout.KeyC}}","amount":"42","delegate":null,"state":"initialized","is_native":null,"delegated_amount":"0","close_authority":null""";

    public static void U16(byte[] data, int offset, ushort value)
    {
        BinaryPrimitives.WriteUInt16LittleEndian(data.AsSpan(offset, 2), value);
    }

    public static void I16(byte[] data, int offset, short value)
    {
        BinaryPrimitives.WriteInt16LittleEndian(data.AsSpan(offset, 2), value);
    }

    public static void I64(byte[] data, int offset, long value)
    {
        BinaryPrimitives.WriteInt64LittleEndian(data.AsSpan(offset, 8), value);
    }

    public static void F64(byte[] data, int offset, double value)
    {
        BinaryPrimitives.WriteDoubleLittleEndian(data.AsSpan(offset, 8), value);
    }

    /// <summary>A TLV entry header: u16 type and u16 length at <paramref name="offset"/>.</summary>
    public static void Entry(byte[] data, int offset, ushort type, ushort length)
    {
        U16(data, offset, type);
        U16(data, offset + 2, length);
    }

    /// <summary>A borsh string: u32 byte count and the UTF-8 bytes; returns the offset after it.</summary>
    public static int BorshString(byte[] data, int offset, byte[] utf8)
    {
        Layout.U32(data, offset, (uint)utf8.Length);
        utf8.CopyTo(data, offset + 4);
        return offset + 4 + utf8.Length;
    }

    /// <summary>Mint: authority KeyA, supply 1,000,000, 6 decimals, initialized, no freeze authority.</summary>
    public static void WriteBaseMint(byte[] data)
    {
        Layout.U32(data, 0, 1);
        Layout.Key(data, 4, Layout.KeyA);
        Layout.U64(data, 36, 1_000_000);
        data[44] = 6;
        data[45] = 1;
        Layout.U32(data, 46, 0);
    }

    /// <summary>Account: mint KeyB, owner KeyC, amount 42, initialized, no options.</summary>
    public static void WriteBaseAccount(byte[] data)
    {
        Layout.Key(data, 0, Layout.KeyB);
        Layout.Key(data, 32, Layout.KeyC);
        Layout.U64(data, 64, 42);
        data[108] = 1;
    }

    /// <summary>A mint with extensions: base mint, zero padding, AccountType 1, and room for one entry with a value of <paramref name="valueLength"/> bytes at <see cref="FirstValue"/>.</summary>
    public static byte[] MintWithOneEntry(ushort type, int valueLength)
    {
        var data = new byte[FirstValue + valueLength];
        WriteBaseMint(data);
        data[AccountTypeOffset] = 1;
        Entry(data, TlvStart, type, (ushort)valueLength);
        return data;
    }

    /// <summary>A token account with extensions: base account, AccountType 2, and one entry as <see cref="MintWithOneEntry"/>.</summary>
    public static byte[] AccountWithOneEntry(ushort type, int valueLength)
    {
        var data = new byte[FirstValue + valueLength];
        WriteBaseAccount(data);
        data[AccountTypeOffset] = 2;
        Entry(data, TlvStart, type, (ushort)valueLength);
        return data;
    }

    /// <summary>Decodes and returns the failure's message and <see cref="AccountDecodeException.Reason"/>.</summary>
    public static (string Message, string Reason) Reject(IAccountDecoder decoder, byte[] data)
    {
        try
        {
            Layout.Decode(decoder, data);
        }
        catch (AccountDecodeException ex)
        {
            return (ex.Message, ex.Reason);
        }

        throw new InvalidOperationException($"expected {decoder.ProgramName} to reject {data.Length} bytes, but it decoded them");
    }
}
