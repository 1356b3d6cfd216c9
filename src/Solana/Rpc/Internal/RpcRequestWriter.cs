using System.Buffers;
using System.Text.Json;

namespace AccountGrains.Solana.Rpc.Internal;

/// <summary>Writes JSON-RPC 2.0 requests and the config objects Solana methods share.</summary>
internal static class RpcRequestWriter
{
    public static byte[] Build(long id, string method, Action<Utf8JsonWriter> writeParams)
    {
        var buffer = new ArrayBufferWriter<byte>(256);
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteString("jsonrpc", "2.0");
            writer.WriteNumber("id", id);
            writer.WriteString("method", method);
            writer.WriteStartArray("params");
            writeParams(writer);
            writer.WriteEndArray();
            writer.WriteEndObject();
        }

        return buffer.WrittenSpan.ToArray();
    }

    public static void WriteCommitment(Utf8JsonWriter writer, RpcCommitment commitment)
    {
        string? text = commitment switch
        {
            RpcCommitment.Default => null,
            RpcCommitment.Processed => "processed",
            RpcCommitment.Confirmed => "confirmed",
            RpcCommitment.Finalized => "finalized",
            _ => throw new ArgumentOutOfRangeException(nameof(commitment), commitment, "not an RpcCommitment"),
        };
        if (text is not null)
        {
            writer.WriteString("commitment", text);
        }
    }

    public static void WriteFilters(Utf8JsonWriter writer, IReadOnlyList<RpcFilter>? filters)
    {
        if (filters is null || filters.Count == 0)
        {
            return;
        }

        writer.WriteStartArray("filters");
        foreach (RpcFilter filter in filters)
        {
            writer.WriteStartObject();
            switch (filter)
            {
                case RpcFilter.DataSize size:
                    writer.WriteNumber("dataSize", size.Size);
                    break;
                case RpcFilter.Memcmp memcmp:
                    writer.WriteStartObject("memcmp");
                    writer.WriteNumber("offset", memcmp.Offset);
                    writer.WriteString("bytes", memcmp.Bytes);
                    writer.WriteEndObject();
                    break;
                default:
                    throw new ArgumentException($"unknown filter type {filter.GetType().Name}", nameof(filters));
            }

            writer.WriteEndObject();
        }

        writer.WriteEndArray();
    }

    /// <summary>Throws a clear ArgumentException unless <paramref name="value"/> is a base58 pubkey.</summary>
    public static void ValidatePubkey(string value, string parameterName)
    {
        ArgumentNullException.ThrowIfNull(value, parameterName);
        if (!Pubkey.TryParse(value, out _, out string? error))
        {
            throw new ArgumentException($"{parameterName}: {error}", parameterName);
        }
    }

    public static void ValidateFilters(IReadOnlyList<RpcFilter>? filters, string parameterName)
    {
        if (filters is null)
        {
            return;
        }

        for (int i = 0; i < filters.Count; i++)
        {
            switch (filters[i])
            {
                case null:
                    throw new ArgumentException($"{parameterName}[{i}] is null", parameterName);
                case RpcFilter.Memcmp { Offset: < 0 } memcmp:
                    throw new ArgumentException($"{parameterName}[{i}]: memcmp offset must not be negative (got {memcmp.Offset})", parameterName);
                case RpcFilter.Memcmp memcmp when !IsBase58(memcmp.Bytes):
                    throw new ArgumentException($"{parameterName}[{i}]: memcmp bytes {ErrorText.Quote(memcmp.Bytes ?? string.Empty)} are not base58", parameterName);
                default:
                    break;
            }
        }
    }

    private static bool IsBase58(string? text)
    {
        if (string.IsNullOrEmpty(text) || text.Length > 175)
        {
            return false;
        }

        Span<byte> scratch = stackalloc byte[176];
        return Base58.TryDecode(text, scratch, out _);
    }
}
