using System.Text.Json.Nodes;

using AccountGrains.Solana;

namespace AccountGrains.Testing.FakeRpc;

/// <summary>The node's JSON shapes and parameter checks, shared by the HTTP and websocket sides.</summary>
internal static class FakeRpcJson
{
    public static JsonObject Context(ulong slot)
    {
        return new JsonObject { ["apiVersion"] = FakeSolanaRpcServer.ApiVersion, ["slot"] = slot };
    }

    public static JsonObject ContextValue(ulong slot, JsonNode? value)
    {
        return new JsonObject { ["context"] = Context(slot), ["value"] = value };
    }

    /// <summary>An account as a node renders it; no encoding means the legacy "binary" (a bare base58 string).</summary>
    public static JsonObject Account(FakeAccount account, string? encoding)
    {
        JsonNode data = encoding switch
        {
            null or "binary" => JsonValue.Create(Base58.Encode(account.Data)),
            "base58" => new JsonArray(Base58.Encode(account.Data), "base58"),
            "base64" => new JsonArray(Convert.ToBase64String(account.Data), "base64"),
            _ => throw new FakeSolanaRpcServer.FakeRpcError(-32602, $"Invalid params: unsupported encoding: {encoding}. The fake supports base58, base64 and binary."),
        };
        return new JsonObject
        {
            ["data"] = data,
            ["executable"] = account.Executable,
            ["lamports"] = account.Lamports,
            ["owner"] = account.Owner,
            ["rentEpoch"] = account.RentEpoch,
            ["space"] = account.Data.Length,
        };
    }

    public static JsonObject KeyedAccount(string pubkey, FakeAccount account, string? encoding)
    {
        return new JsonObject { ["pubkey"] = pubkey, ["account"] = Account(account, encoding) };
    }

    public static string Pubkey(JsonArray parameters, int index)
    {
        if (parameters.Count <= index || parameters[index] is not JsonValue value || !value.TryGetValue(out string? text))
        {
            throw new FakeSolanaRpcServer.FakeRpcError(-32602, $"Invalid params: missing or non-string parameter {index}.");
        }

        if (!Solana.Pubkey.TryParse(text, out _, out _))
        {
            throw new FakeSolanaRpcServer.FakeRpcError(-32602, "Invalid param: Invalid");
        }

        return text;
    }

    public static JsonObject Config(JsonArray parameters, int index)
    {
        if (parameters.Count <= index || parameters[index] is null)
        {
            return [];
        }

        return parameters[index] as JsonObject
            ?? throw new FakeSolanaRpcServer.FakeRpcError(-32602, $"Invalid params: parameter {index} must be a configuration object.");
    }

    public static string? String(JsonObject config, string name)
    {
        return config[name] is JsonValue value && value.TryGetValue(out string? text) ? text : null;
    }

    /// <summary>Whether the data passes every dataSize / memcmp filter (a bad filter is -32602, as on a node).</summary>
    public static bool Matches(byte[] data, JsonArray? filters)
    {
        if (filters is null)
        {
            return true;
        }

        foreach (JsonNode? filter in filters)
        {
            if (filter is JsonObject f && f["dataSize"] is JsonValue size && size.TryGetValue(out ulong expected))
            {
                if ((ulong)data.Length != expected)
                {
                    return false;
                }
            }
            else if (filter is JsonObject m && m["memcmp"] is JsonObject memcmp
                && memcmp["offset"] is JsonValue offsetValue && offsetValue.TryGetValue(out int offset)
                && memcmp["bytes"] is JsonValue bytesValue && bytesValue.TryGetValue(out string? text))
            {
                byte[] bytes = String(memcmp, "encoding") switch
                {
                    null or "base58" => Decode58(text),
                    "base64" => Convert.FromBase64String(text),
                    string other => throw new FakeSolanaRpcServer.FakeRpcError(-32602, $"Invalid params: unsupported memcmp encoding {other}"),
                };
                if (offset < 0 || offset + bytes.Length > data.Length || !data.AsSpan(offset, bytes.Length).SequenceEqual(bytes))
                {
                    return false;
                }
            }
            else
            {
                throw new FakeSolanaRpcServer.FakeRpcError(-32602, $"Invalid params: invalid filter {filter?.ToJsonString()}");
            }
        }

        return true;
    }

    private static byte[] Decode58(string text)
    {
        try
        {
            return Base58.Decode(text);
        }
        catch (FormatException)
        {
            throw new FakeSolanaRpcServer.FakeRpcError(-32602, "Invalid params: memcmp bytes are not base58");
        }
    }
}
