using System.Text.Json;

namespace AccountGrains.Solana.Rpc.Internal;

/// <summary>
/// Reads JSON-RPC result shapes. Every accessor names the path it wanted when the reply does not have it, so a
/// broken reply becomes a clear error instead of a NullReferenceException; u64 values are read from their digits,
/// never through double (rentEpoch is often u64::MAX).
/// </summary>
internal static class RpcJson
{
    public static JsonElement Property(JsonElement parent, string name, string path)
    {
        if (parent.ValueKind != JsonValueKind.Object)
        {
            throw new RpcFormatException($"{path} is {Kind(parent)}, not an object");
        }

        if (!parent.TryGetProperty(name, out JsonElement value))
        {
            throw new RpcFormatException($"{path}.{name} is missing");
        }

        return value;
    }

    public static ulong U64(JsonElement parent, string name, string path)
    {
        JsonElement value = Property(parent, name, path);
        return U64(value, $"{path}.{name}");
    }

    public static ulong U64(JsonElement value, string path)
    {
        if (value.ValueKind != JsonValueKind.Number || !value.TryGetUInt64(out ulong number))
        {
            throw new RpcFormatException($"{path} is {Kind(value)}, not an unsigned 64-bit integer");
        }

        return number;
    }

    public static long? NullableI64(JsonElement parent, string name, string path)
    {
        if (!parent.TryGetProperty(name, out JsonElement value) || value.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        if (value.ValueKind != JsonValueKind.Number || !value.TryGetInt64(out long number))
        {
            throw new RpcFormatException($"{path}.{name} is {Kind(value)}, not a 64-bit integer");
        }

        return number;
    }

    public static int I32(JsonElement parent, string name, string path)
    {
        JsonElement value = Property(parent, name, path);
        if (value.ValueKind != JsonValueKind.Number || !value.TryGetInt32(out int number))
        {
            throw new RpcFormatException($"{path}.{name} is {Kind(value)}, not a 32-bit integer");
        }

        return number;
    }

    public static string String(JsonElement parent, string name, string path)
    {
        JsonElement value = Property(parent, name, path);
        return String(value, $"{path}.{name}");
    }

    public static string String(JsonElement value, string path)
    {
        return value.ValueKind == JsonValueKind.String
            ? value.GetString() ?? string.Empty
            : throw new RpcFormatException($"{path} is {Kind(value)}, not a string");
    }

    public static string? NullableString(JsonElement parent, string name, string path)
    {
        if (!parent.TryGetProperty(name, out JsonElement value) || value.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        return String(value, $"{path}.{name}");
    }

    public static bool Bool(JsonElement parent, string name, string path)
    {
        JsonElement value = Property(parent, name, path);
        return value.ValueKind switch
        {
            JsonValueKind.True => true,
            JsonValueKind.False => false,
            _ => throw new RpcFormatException($"{path}.{name} is {Kind(value)}, not a boolean"),
        };
    }

    /// <summary>The member as raw JSON text, or null when it is absent or JSON null (e.g. a transaction's err).</summary>
    public static string? RawOrNull(JsonElement parent, string name)
    {
        return parent.ValueKind == JsonValueKind.Object && parent.TryGetProperty(name, out JsonElement value) && value.ValueKind != JsonValueKind.Null
            ? value.GetRawText()
            : null;
    }

    public static JsonElement Array(JsonElement parent, string name, string path)
    {
        JsonElement value = Property(parent, name, path);
        return value.ValueKind == JsonValueKind.Array ? value : throw new RpcFormatException($"{path}.{name} is {Kind(value)}, not an array");
    }

    /// <summary>An optional array member: absent or null gives an empty list.</summary>
    public static IReadOnlyList<T> OptionalList<T>(JsonElement parent, string name, string path, Func<JsonElement, string, T> read)
    {
        if (parent.ValueKind != JsonValueKind.Object || !parent.TryGetProperty(name, out JsonElement value) || value.ValueKind == JsonValueKind.Null)
        {
            return [];
        }

        return value.ValueKind == JsonValueKind.Array
            ? List(value, $"{path}.{name}", read)
            : throw new RpcFormatException($"{path}.{name} is {Kind(value)}, not an array");
    }

    public static List<T> List<T>(JsonElement array, string path, Func<JsonElement, string, T> read)
    {
        if (array.ValueKind != JsonValueKind.Array)
        {
            throw new RpcFormatException($"{path} is {Kind(array)}, not an array");
        }

        var items = new List<T>(array.GetArrayLength());
        int index = 0;
        foreach (JsonElement item in array.EnumerateArray())
        {
            items.Add(read(item, $"{path}[{index}]"));
            index++;
        }

        return items;
    }

    /// <summary>Reads <c>{"context":{"slot":…},"value":…}</c>.</summary>
    public static RpcResult<T> ContextValue<T>(JsonElement result, Func<JsonElement, string, T> readValue)
    {
        JsonElement context = Property(result, "context", "result");
        ulong slot = U64(context, "slot", "result.context");
        return new RpcResult<T>(slot, readValue(Property(result, "value", "result"), "result.value"));
    }

    public static RpcAccount? NullableAccount(JsonElement value, string path)
    {
        return value.ValueKind == JsonValueKind.Null ? null : Account(value, path);
    }

    public static RpcAccount Account(JsonElement value, string path)
    {
        return new RpcAccount(
            String(value, "owner", path),
            U64(value, "lamports", path),
            Data(Property(value, "data", path), $"{path}.data"),
            Bool(value, "executable", path),
            U64(value, "rentEpoch", path));
    }

    public static RpcKeyedAccount KeyedAccount(JsonElement value, string path)
    {
        return new RpcKeyedAccount(String(value, "pubkey", path), Account(Property(value, "account", path), $"{path}.account"));
    }

    /// <summary>Account data as <c>["…","base64"]</c> (what the client asks for), <c>["…","base58"]</c>, or a bare base58 string (legacy "binary").</summary>
    public static byte[] Data(JsonElement data, string path)
    {
        try
        {
            if (data.ValueKind == JsonValueKind.String)
            {
                return Base58.Decode(data.GetString() ?? string.Empty);
            }

            if (data.ValueKind != JsonValueKind.Array || data.GetArrayLength() != 2)
            {
                throw new RpcFormatException($"{path} is {Kind(data)}, not [data, encoding]");
            }

            string text = String(data[0], $"{path}[0]");
            string encoding = String(data[1], $"{path}[1]");
            return encoding switch
            {
                "base64" => Convert.FromBase64String(text),
                "base58" => Base58.Decode(text),
                _ => throw new RpcFormatException($"{path} uses encoding '{encoding}'; the client asks for base64"),
            };
        }
        catch (FormatException ex)
        {
            throw new RpcFormatException($"{path} does not decode: {ex.Message}", ex);
        }
    }

    public static string Kind(JsonElement value)
    {
        return value.ValueKind switch
        {
            JsonValueKind.Object => "an object",
            JsonValueKind.Array => "an array",
            JsonValueKind.String => "a string",
            JsonValueKind.Number => $"the number {value.GetRawText()}",
            JsonValueKind.True or JsonValueKind.False => "a boolean",
            JsonValueKind.Null => "null",
            _ => "missing",
        };
    }
}
