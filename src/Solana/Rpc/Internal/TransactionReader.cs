using System.Text.Json;

namespace AccountGrains.Solana.Rpc.Internal;

/// <summary>Reads a getTransaction result in the "json" encoding (legacy and version 0 transactions).</summary>
internal static class TransactionReader
{
    public static RpcTransaction Read(JsonElement result)
    {
        const string path = "result";
        JsonElement meta = RpcJson.Property(result, "meta", path);
        JsonElement transaction = RpcJson.Property(result, "transaction", path);
        JsonElement message = RpcJson.Property(transaction, "message", $"{path}.transaction");

        var keys = RpcJson.List(RpcJson.Array(message, "accountKeys", $"{path}.transaction.message"), $"{path}.transaction.message.accountKeys", RpcJson.String);
        if (meta.ValueKind == JsonValueKind.Object && meta.TryGetProperty("loadedAddresses", out JsonElement loaded) && loaded.ValueKind == JsonValueKind.Object)
        {
            keys.AddRange(RpcJson.OptionalList(loaded, "writable", $"{path}.meta.loadedAddresses", RpcJson.String));
            keys.AddRange(RpcJson.OptionalList(loaded, "readonly", $"{path}.meta.loadedAddresses", RpcJson.String));
        }

        bool hasMeta = meta.ValueKind == JsonValueKind.Object;
        string metaPath = $"{path}.meta";
        return new RpcTransaction(
            RpcJson.U64(result, "slot", path),
            RpcJson.NullableI64(result, "blockTime", path),
            RpcJson.List(RpcJson.Array(transaction, "signatures", $"{path}.transaction"), $"{path}.transaction.signatures", RpcJson.String),
            keys,
            hasMeta ? RpcJson.U64(meta, "fee", metaPath) : 0,
            hasMeta ? RpcJson.RawOrNull(meta, "err") : null,
            RpcJson.OptionalList(meta, "preBalances", metaPath, RpcJson.U64),
            RpcJson.OptionalList(meta, "postBalances", metaPath, RpcJson.U64),
            RpcJson.OptionalList(meta, "preTokenBalances", metaPath, TokenBalance),
            RpcJson.OptionalList(meta, "postTokenBalances", metaPath, TokenBalance),
            RpcJson.OptionalList(meta, "logMessages", metaPath, RpcJson.String));
    }

    private static RpcTokenBalance TokenBalance(JsonElement item, string path)
    {
        JsonElement amount = RpcJson.Property(item, "uiTokenAmount", path);
        return new RpcTokenBalance(
            RpcJson.I32(item, "accountIndex", path),
            RpcJson.String(item, "mint", path),
            RpcJson.NullableString(item, "owner", path),
            RpcJson.NullableString(item, "programId", path),
            RpcJson.String(amount, "amount", $"{path}.uiTokenAmount"),
            RpcJson.I32(amount, "decimals", $"{path}.uiTokenAmount"));
    }
}
