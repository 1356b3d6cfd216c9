using System.Buffers;
using System.Buffers.Binary;
using System.Text;
using System.Text.Json;

using AccountGrains.Solana.Decoding;

namespace AccountGrains.Solana.Tests.TestSupport;

/// <summary>Writes account bytes at explicit offsets, so each test spells out the layout it expects.</summary>
internal static class Layout
{
    // Real, recognisable keys, so a mix-up shows in a failure message.
    public const string KeyA = "TokenkegQfeZyiNwAJbNbGKPFXCWuBvf9Ss623VQ5DA";
    public const string KeyB = "ATokenGPvbdGVxr1b2hvZbsiqW5xWH25efTNsLJA8knL";
    public const string KeyC = "cpamdpZCGKUy5JxQXB4dcpGPiikHawvSWAd6mEn1sGG";
    public const string KeyD = "Vote111111111111111111111111111111111111111";
    public const string WrappedSol = "So11111111111111111111111111111111111111112";

    public static void U32(byte[] data, int offset, uint value)
    {
        BinaryPrimitives.WriteUInt32LittleEndian(data.AsSpan(offset, 4), value);
    }

    public static void U64(byte[] data, int offset, ulong value)
    {
        BinaryPrimitives.WriteUInt64LittleEndian(data.AsSpan(offset, 8), value);
    }

    public static void Key(byte[] data, int offset, string base58)
    {
        Pubkey.Parse(base58).CopyTo(data.AsSpan(offset, 32));
    }

    /// <summary>Runs a decoder on its own writer and returns the account type and the exact JSON text.</summary>
    public static (string AccountType, string Json) Decode(IAccountDecoder decoder, byte[] data)
    {
        var buffer = new ArrayBufferWriter<byte>();
        string accountType;
        using (var writer = new Utf8JsonWriter(buffer))
        {
            accountType = decoder.Decode(data, writer);
        }

        return (accountType, Encoding.UTF8.GetString(buffer.WrittenSpan));
    }

    public static string DecodeError(IAccountDecoder decoder, byte[] data)
    {
        try
        {
            Decode(decoder, data);
        }
        catch (AccountDecodeException ex)
        {
            return ex.Message;
        }

        throw new InvalidOperationException($"expected {decoder.ProgramName} to reject {data.Length} bytes, but it decoded them");
    }
}
