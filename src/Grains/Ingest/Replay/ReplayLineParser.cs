using System.Buffers.Text;
using System.Text;
using System.Text.Json;
using AccountGrains.Solana;

namespace AccountGrains.Grains.Ingest.Replay;

/// <summary>
/// Parses one replay line (format in samples/README.md) into an <see cref="AccountUpdate"/>, or says precisely
/// what is wrong with it. Unknown fields are ignored so newer files replay on older servers.
/// </summary>
public static class ReplayLineParser
{
    public static bool TryParse(ReadOnlySpan<byte> line, DateTimeOffset receivedAt, out AccountUpdate? update, out string? error)
    {
        update = null;
        string? pubkey = null, owner = null, signature = null;
        byte[]? data = null;
        ulong? lamports = null, slot = null, writeVersion = null;
        ulong rentEpoch = 0;
        var executable = false;
        try
        {
            var reader = new Utf8JsonReader(line);
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            {
                error = "a line must be one JSON object";
                return false;
            }

            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                var name = reader.ValueSpan;
                if (!reader.Read())
                {
                    break;
                }

                if (name.SequenceEqual("pubkey"u8))
                {
                    pubkey = ReadPubkey(ref reader, "pubkey", out error);
                }
                else if (name.SequenceEqual("owner"u8))
                {
                    owner = ReadPubkey(ref reader, "owner", out error);
                }
                else if (name.SequenceEqual("lamports"u8))
                {
                    lamports = ReadUInt64(ref reader, "lamports", out error);
                }
                else if (name.SequenceEqual("data"u8))
                {
                    data = ReadBase64(ref reader, out error);
                }
                else if (name.SequenceEqual("executable"u8))
                {
                    executable = ReadBool(ref reader, "executable", out error);
                }
                else if (name.SequenceEqual("rent_epoch"u8))
                {
                    rentEpoch = ReadUInt64(ref reader, "rent_epoch", out error) ?? 0;
                }
                else if (name.SequenceEqual("slot"u8))
                {
                    slot = ReadUInt64(ref reader, "slot", out error);
                }
                else if (name.SequenceEqual("write_version"u8))
                {
                    writeVersion = ReadUInt64(ref reader, "write_version", out error);
                }
                else if (name.SequenceEqual("txn_signature"u8))
                {
                    signature = ReadSignature(ref reader, out error);
                }
                else
                {
                    reader.Skip();
                    error = null;
                }

                if (error is not null)
                {
                    return false;
                }
            }
        }
        catch (JsonException e)
        {
            error = $"not valid JSON: {e.Message}";
            return false;
        }

        error = Missing(pubkey, "pubkey") ?? Missing(owner, "owner") ?? Missing(lamports, "lamports") ?? Missing(data, "data")
            ?? Missing(slot, "slot") ?? Missing(writeVersion, "write_version");
        if (error is not null)
        {
            return false;
        }

        update = new AccountUpdate(pubkey!, owner!, lamports!.Value, data!, executable, rentEpoch, slot!.Value, writeVersion!.Value, signature, receivedAt);
        return true;
    }

    private static string? Missing(object? value, string field) => value is null ? $"'{field}' is required" : null;

    private static string? ReadPubkey(ref Utf8JsonReader reader, string field, out string? error)
    {
        if (reader.TokenType != JsonTokenType.String)
        {
            error = $"'{field}' must be a base58 string";
            return null;
        }

        var text = reader.GetString()!;
        if (!Pubkey.TryParse(text, out _, out var reason))
        {
            error = $"'{field}': {reason}";
            return null;
        }

        error = null;
        return text;
    }

    private static ulong? ReadUInt64(ref Utf8JsonReader reader, string field, out string? error)
    {
        if (reader.TokenType == JsonTokenType.Number && reader.TryGetUInt64(out var value))
        {
            error = null;
            return value;
        }

        error = $"'{field}' must be an integer from 0 to 18446744073709551615";
        return null;
    }

    private static bool ReadBool(ref Utf8JsonReader reader, string field, out string? error)
    {
        if (reader.TokenType is JsonTokenType.True or JsonTokenType.False)
        {
            error = null;
            return reader.GetBoolean();
        }

        error = $"'{field}' must be true or false";
        return false;
    }

    private static byte[]? ReadBase64(ref Utf8JsonReader reader, out string? error)
    {
        if (reader.TokenType != JsonTokenType.String || reader.ValueIsEscaped)
        {
            error = "'data' must be a base64 string (empty for no data)";
            return null;
        }

        var encoded = reader.ValueSpan;
        var data = new byte[Base64.GetMaxDecodedFromUtf8Length(encoded.Length)];
        if (Base64.DecodeFromUtf8(encoded, data, out _, out var written) != System.Buffers.OperationStatus.Done)
        {
            error = "'data' is not valid base64";
            return null;
        }

        error = null;
        return written == data.Length ? data : data[..written];
    }

    private static string? ReadSignature(ref Utf8JsonReader reader, out string? error)
    {
        if (reader.TokenType == JsonTokenType.Null)
        {
            error = null;
            return null;
        }

        if (reader.TokenType != JsonTokenType.String)
        {
            error = "'txn_signature' must be a base58 string";
            return null;
        }

        var text = reader.GetString()!;
        Span<byte> bytes = stackalloc byte[80];
        if (!Base58.TryDecode(text, bytes, out var written) || written != 64)
        {
            error = $"'txn_signature' '{Truncate(text)}' is not a base58 64-byte signature";
            return null;
        }

        error = null;
        return text;
    }

    private static string Truncate(string text) => text.Length <= 100 ? text : string.Concat(text.AsSpan(0, 100), "…");

    /// <summary>For error messages: the line as text, shortened.</summary>
    internal static string Preview(ReadOnlySpan<byte> line) => Truncate(Encoding.UTF8.GetString(line[..Math.Min(line.Length, 400)]));
}
