using System.Globalization;
using System.Text.Json.Nodes;

using AccountGrains.Solana;

namespace AccountGrains.Testing.FakeRpc;

/// <summary>The HTTP JSON-RPC methods, answered from the fake's state with a real node's result shapes.</summary>
public sealed partial class FakeSolanaRpcServer
{
    public const int MaxMultipleAccounts = 100;

    private JsonNode? Call(string method, JsonArray parameters)
    {
        lock (_gate)
        {
            return method switch
            {
                "getAccountInfo" => GetAccountInfo(parameters),
                "getMultipleAccounts" => GetMultipleAccounts(parameters),
                "getProgramAccounts" => GetProgramAccounts(parameters),
                "getTokenAccountsByOwner" => GetTokenAccountsByOwner(parameters),
                "getBalance" => FakeRpcJson.ContextValue(Slot, _accounts.TryGetValue(FakeRpcJson.Pubkey(parameters, 0), out FakeAccount? a) ? a.Lamports : 0),
                "getSlot" => Slot,
                "getHealth" => "ok",
                "getSignaturesForAddress" => GetSignaturesForAddress(parameters),
                "getTransaction" => GetTransaction(parameters),
                _ => throw new FakeRpcError(-32601, "Method not found"),
            };
        }
    }

    private JsonObject GetAccountInfo(JsonArray parameters)
    {
        string pubkey = FakeRpcJson.Pubkey(parameters, 0);
        string? encoding = FakeRpcJson.String(FakeRpcJson.Config(parameters, 1), "encoding");
        return FakeRpcJson.ContextValue(Slot, _accounts.TryGetValue(pubkey, out FakeAccount? account) ? FakeRpcJson.Account(account, encoding) : null);
    }

    private JsonObject GetMultipleAccounts(JsonArray parameters)
    {
        if (parameters.Count == 0 || parameters[0] is not JsonArray keys)
        {
            throw new FakeRpcError(-32602, "Invalid params: missing or non-array parameter 0.");
        }

        if (keys.Count > MaxMultipleAccounts)
        {
            throw new FakeRpcError(-32602, $"Too many inputs provided; max {MaxMultipleAccounts}");
        }

        string? encoding = FakeRpcJson.String(FakeRpcJson.Config(parameters, 1), "encoding");
        var values = new JsonArray();
        for (int i = 0; i < keys.Count; i++)
        {
            string pubkey = FakeRpcJson.Pubkey(keys, i);
            values.Add(_accounts.TryGetValue(pubkey, out FakeAccount? account) ? FakeRpcJson.Account(account, encoding) : null);
        }

        return FakeRpcJson.ContextValue(Slot, values);
    }

    private JsonNode GetProgramAccounts(JsonArray parameters)
    {
        string program = FakeRpcJson.Pubkey(parameters, 0);
        JsonObject config = FakeRpcJson.Config(parameters, 1);
        string? encoding = FakeRpcJson.String(config, "encoding");
        JsonArray? filters = config["filters"] as JsonArray;
        var values = new JsonArray();
        foreach ((string pubkey, FakeAccount account) in _accounts.OrderBy(a => a.Key, StringComparer.Ordinal))
        {
            if (account.Owner == program && FakeRpcJson.Matches(account.Data, filters))
            {
                values.Add(FakeRpcJson.KeyedAccount(pubkey, account, encoding));
            }
        }

        bool withContext = config["withContext"] is JsonValue w && w.TryGetValue(out bool b) && b;
        return withContext ? FakeRpcJson.ContextValue(Slot, values) : values;
    }

    private JsonObject GetTokenAccountsByOwner(JsonArray parameters)
    {
        string owner = FakeRpcJson.Pubkey(parameters, 0);
        JsonObject filter = FakeRpcJson.Config(parameters, 1);
        string? mint = FakeRpcJson.String(filter, "mint");
        string? programId = FakeRpcJson.String(filter, "programId");
        if ((mint is null) == (programId is null))
        {
            throw new FakeRpcError(-32602, "Invalid params: expected exactly one of mint or programId.");
        }

        string? encoding = FakeRpcJson.String(FakeRpcJson.Config(parameters, 2), "encoding");
        byte[] ownerBytes = Pubkey.Parse(owner).ToArray();
        byte[]? mintBytes = mint is null ? null : Pubkey.Parse(mint).ToArray();
        var values = new JsonArray();
        foreach ((string pubkey, FakeAccount account) in _accounts.OrderBy(a => a.Key, StringComparer.Ordinal))
        {
            bool isToken = account.Owner == WellKnownPrograms.SplToken.ToString() || account.Owner == WellKnownPrograms.Token2022.ToString();
            if (!isToken || account.Data.Length < 64 || !account.Data.AsSpan(32, 32).SequenceEqual(ownerBytes))
            {
                continue;
            }

            if ((programId is not null && account.Owner != programId) || (mintBytes is not null && !account.Data.AsSpan(0, 32).SequenceEqual(mintBytes)))
            {
                continue;
            }

            values.Add(FakeRpcJson.KeyedAccount(pubkey, account, encoding));
        }

        return FakeRpcJson.ContextValue(Slot, values);
    }

    private JsonArray GetSignaturesForAddress(JsonArray parameters)
    {
        string address = FakeRpcJson.Pubkey(parameters, 0);
        JsonObject config = FakeRpcJson.Config(parameters, 1);
        int limit = config["limit"] is JsonValue l && l.TryGetValue(out int value) ? value : 1000;
        if (limit is < 1 or > 1000)
        {
            throw new FakeRpcError(-32602, "Invalid limit; max 1000");
        }

        string? before = FakeRpcJson.String(config, "before");
        string? until = FakeRpcJson.String(config, "until");
        IEnumerable<FakeSignature> entries = _signatures.TryGetValue(address, out List<FakeSignature>? list) ? list : [];
        if (before is not null)
        {
            entries = entries.SkipWhile(s => s.Signature != before).Skip(1);
        }

        if (until is not null)
        {
            entries = entries.TakeWhile(s => s.Signature != until);
        }

        var result = new JsonArray();
        foreach (FakeSignature entry in entries.Take(limit))
        {
            result.Add(new JsonObject
            {
                ["blockTime"] = entry.BlockTime,
                ["confirmationStatus"] = entry.ConfirmationStatus,
                ["err"] = entry.ErrorJson is null ? null : JsonNode.Parse(entry.ErrorJson),
                ["memo"] = entry.Memo,
                ["signature"] = entry.Signature,
                ["slot"] = entry.Slot,
            });
        }

        return result;
    }

    private JsonObject? GetTransaction(JsonArray parameters)
    {
        if (parameters.Count == 0 || parameters[0] is not JsonValue s || !s.TryGetValue(out string? signature))
        {
            throw new FakeRpcError(-32602, "Invalid params: missing or non-string parameter 0.");
        }

        JsonObject config = FakeRpcJson.Config(parameters, 1);
        if (FakeRpcJson.String(config, "encoding") is { } encoding && encoding != "json")
        {
            throw new FakeRpcError(-32602, $"Invalid params: the fake renders transactions only as json, not {encoding}.");
        }

        if (!_transactions.TryGetValue(signature, out FakeTransaction? tx))
        {
            return null;
        }

        int? supported = config["maxSupportedTransactionVersion"] is JsonValue v && v.TryGetValue(out int max) ? max : null;
        if (tx.Version is { } version && (supported is null || supported < version))
        {
            throw new FakeRpcError(
                -32015,
                $"Transaction version ({version}) is not supported by the requesting client. Please try the request again with the following configuration parameter: \"maxSupportedTransactionVersion\": {version}");
        }

        JsonNode? error = tx.ErrorJson is null ? null : JsonNode.Parse(tx.ErrorJson);
        var message = new JsonObject
        {
            ["accountKeys"] = Strings(tx.StaticAccountKeys),
            ["header"] = new JsonObject { ["numReadonlySignedAccounts"] = 0, ["numReadonlyUnsignedAccounts"] = 0, ["numRequiredSignatures"] = tx.Signatures.Count },
            ["instructions"] = new JsonArray(),
            ["recentBlockhash"] = "11111111111111111111111111111111",
        };
        if (tx.Version is not null)
        {
            // Like a node: the loaded addresses come from lookups whose index counts match them (web3.js checks this).
            int writable = tx.LoadedWritable?.Count ?? 0;
            int readOnly = tx.LoadedReadonly?.Count ?? 0;
            message["addressTableLookups"] = writable + readOnly == 0
                ? new JsonArray()
                : new JsonArray(new JsonObject
                {
                    ["accountKey"] = tx.LookupTable,
                    ["readonlyIndexes"] = new JsonArray(Enumerable.Range(writable, readOnly).Select(i => (JsonNode?)i).ToArray()),
                    ["writableIndexes"] = new JsonArray(Enumerable.Range(0, writable).Select(i => (JsonNode?)i).ToArray()),
                });
        }

        var meta = new JsonObject
        {
            ["computeUnitsConsumed"] = 0,
            ["err"] = error,
            ["fee"] = tx.Fee,
            ["innerInstructions"] = new JsonArray(),
            ["loadedAddresses"] = new JsonObject { ["readonly"] = Strings(tx.LoadedReadonly), ["writable"] = Strings(tx.LoadedWritable) },
            ["logMessages"] = Strings(tx.LogMessages),
            ["postBalances"] = new JsonArray((tx.PostBalances ?? []).Select(b => (JsonNode?)b).ToArray()),
            ["postTokenBalances"] = TokenBalances(tx.PostTokenBalances),
            ["preBalances"] = new JsonArray((tx.PreBalances ?? []).Select(b => (JsonNode?)b).ToArray()),
            ["preTokenBalances"] = TokenBalances(tx.PreTokenBalances),
            ["rewards"] = new JsonArray(),
            ["status"] = error is null ? new JsonObject { ["Ok"] = null } : new JsonObject { ["Err"] = error.DeepClone() },
        };
        return new JsonObject
        {
            ["blockTime"] = tx.BlockTime,
            ["meta"] = meta,
            ["slot"] = tx.Slot,
            ["transaction"] = new JsonObject { ["message"] = message, ["signatures"] = Strings(tx.Signatures) },
            ["version"] = tx.Version is { } ver ? JsonValue.Create(ver) : JsonValue.Create("legacy"),
        };
    }

    private static JsonArray Strings(IReadOnlyList<string>? values)
    {
        return new JsonArray((values ?? []).Select(v => (JsonNode?)v).ToArray());
    }

    private static JsonArray TokenBalances(IReadOnlyList<FakeTokenBalance>? balances)
    {
        var result = new JsonArray();
        foreach (FakeTokenBalance balance in balances ?? [])
        {
            decimal ui = decimal.Parse(balance.Amount, CultureInfo.InvariantCulture) / (decimal)Math.Pow(10, balance.Decimals);
            result.Add(new JsonObject
            {
                ["accountIndex"] = balance.AccountIndex,
                ["mint"] = balance.Mint,
                ["owner"] = balance.Owner,
                ["programId"] = balance.ProgramId,
                ["uiTokenAmount"] = new JsonObject
                {
                    ["amount"] = balance.Amount,
                    ["decimals"] = balance.Decimals,
                    ["uiAmount"] = (double)ui,
                    ["uiAmountString"] = ui.ToString(CultureInfo.InvariantCulture),
                },
            });
        }

        return result;
    }
}
