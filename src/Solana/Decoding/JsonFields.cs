using System.Buffers.Text;
using System.Text.Json;

namespace AccountGrains.Solana.Decoding;

/// <summary>Field writers shared by the decoders, so every program renders keys and amounts alike.</summary>
internal static class JsonFields
{
    /// <summary>A key as its base58 string, encoded straight to UTF-8 (no string allocation).</summary>
    public static void WritePubkey(Utf8JsonWriter writer, ReadOnlySpan<byte> name, Pubkey value)
    {
        Span<byte> utf8 = stackalloc byte[Pubkey.MaxBase58Length];
        int length = value.EncodeBase58Utf8(utf8);
        writer.WriteString(name, utf8[..length]);
    }

    /// <summary>A COption key: its base58 string, or null when absent.</summary>
    public static void WriteOptionalPubkey(Utf8JsonWriter writer, ReadOnlySpan<byte> name, Pubkey? value)
    {
        if (value is { } key)
        {
            WritePubkey(writer, name, key);
        }
        else
        {
            writer.WriteNull(name);
        }
    }

    /// <summary>
    /// A u64 as a decimal string: JavaScript numbers lose integer precision past 2^53,
    /// and token amounts routinely go beyond that.
    /// </summary>
    public static void WriteU64String(Utf8JsonWriter writer, ReadOnlySpan<byte> name, ulong value)
    {
        Span<byte> utf8 = stackalloc byte[20];
        Utf8Formatter.TryFormat(value, utf8, out int length);
        writer.WriteString(name, utf8[..length]);
    }

    /// <summary>An optional u64 as a decimal string, or null when absent.</summary>
    public static void WriteOptionalU64String(Utf8JsonWriter writer, ReadOnlySpan<byte> name, ulong? value)
    {
        if (value is { } number)
        {
            WriteU64String(writer, name, number);
        }
        else
        {
            writer.WriteNull(name);
        }
    }
}
