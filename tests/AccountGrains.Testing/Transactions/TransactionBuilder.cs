using System.Globalization;
using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Nodes;
using AccountGrains.Solana;
using AccountGrains.Solana.Transactions;
using Geyser;
using Google.Protobuf;
using ConfirmedBlock = global::Solana.Storage.ConfirmedBlock;

namespace AccountGrains.Testing.Transactions;

/// <summary>Where a test's transaction comes from: the same transaction rendered as a Yellowstone update or a getTransaction result.</summary>
public enum TransactionSource
{
    Yellowstone,
    Rpc,
}

/// <summary>
/// One transaction, described once and rendered either as the generated Yellowstone proto or as the JSON a node
/// returns for getTransaction (encoding json, maxSupportedTransactionVersion 0). Static keys must be added before
/// loaded ones so indexes are final when token balances name them.
/// </summary>
public sealed class TransactionBuilder
{
    private readonly List<(Pubkey Key, ulong Pre, ulong Post)> _static = [];
    private readonly List<(Pubkey Key, ulong Pre, ulong Post)> _writable = [];
    private readonly List<(Pubkey Key, ulong Pre, ulong Post)> _readonly = [];
    private readonly List<TokenEntry> _preTokens = [];
    private readonly List<TokenEntry> _postTokens = [];

    public byte[] Signature { get; } = RandomNumberGenerator.GetBytes(64);

    public ulong Slot { get; init; } = 345_678;

    public long? BlockTime { get; init; } = 1_700_000_000;

    public ulong Fee { get; init; } = 5000;

    /// <summary>The error as Yellowstone sends it (bincode) and as RPC sends it (JSON).</summary>
    public (byte[] Bincode, string Json)? Error { get; init; }

    public string SignatureText => Base58.Encode(Signature);

    private int LoadedCount => _writable.Count + _readonly.Count;

    public static Pubkey NewKey()
    {
        return new Pubkey(RandomNumberGenerator.GetBytes(32));
    }

    /// <summary>A static account key; the first one added is the fee payer.</summary>
    public int Key(Pubkey key, ulong pre = 0, ulong post = 0)
    {
        if (LoadedCount > 0)
        {
            throw new InvalidOperationException("add static keys before loaded addresses");
        }

        _static.Add((key, pre, post));
        return _static.Count - 1;
    }

    public int Unchanged(Pubkey key, ulong lamports = 1)
    {
        return Key(key, lamports, lamports);
    }

    public int LoadedWritable(Pubkey key, ulong pre = 0, ulong post = 0)
    {
        if (_readonly.Count > 0)
        {
            throw new InvalidOperationException("add loaded writable addresses before loaded readonly ones");
        }

        _writable.Add((key, pre, post));
        return _static.Count + _writable.Count - 1;
    }

    public int LoadedReadonly(Pubkey key, ulong lamports = 1)
    {
        _readonly.Add((key, lamports, lamports));
        return _static.Count + _writable.Count + _readonly.Count - 1;
    }

    /// <summary>A token balance before (<paramref name="pre"/> non-null) and/or after (<paramref name="post"/> non-null).</summary>
    public void Token(int index, Pubkey mint, Pubkey owner, ulong? pre, ulong? post, int decimals, Pubkey? program = null)
    {
        Pubkey programId = program ?? WellKnownPrograms.SplToken;
        if (pre is { } before)
        {
            _preTokens.Add(new TokenEntry(index, mint, owner, programId, before, decimals));
        }

        if (post is { } after)
        {
            _postTokens.Add(new TokenEntry(index, mint, owner, programId, after, decimals));
        }
    }

    public TransactionFacts Facts(TransactionSource source)
    {
        return source == TransactionSource.Yellowstone
            ? TransactionFacts.FromYellowstone(ToYellowstone(), BlockTime)
            : TransactionFacts.FromRpc(JsonDocument.Parse(ToRpcJson()).RootElement);
    }

    public SubscribeUpdateTransaction ToYellowstone()
    {
        var all = _static.Concat(_writable).Concat(_readonly).ToList();
        var message = new ConfirmedBlock.Message
        {
            Header = new ConfirmedBlock.MessageHeader { NumRequiredSignatures = 1, NumReadonlyUnsignedAccounts = 1 },
            RecentBlockhash = ByteString.CopyFrom(new byte[32]),
            Versioned = LoadedCount > 0,
        };
        message.AccountKeys.AddRange(_static.Select(k => ByteString.CopyFrom(k.Key.ToArray())));
        if (LoadedCount > 0)
        {
            message.AddressTableLookups.Add(new ConfirmedBlock.MessageAddressTableLookup
            {
                AccountKey = ByteString.CopyFrom(NewKey().ToArray()),
                WritableIndexes = ByteString.CopyFrom(Enumerable.Range(0, _writable.Count).Select(i => (byte)i).ToArray()),
                ReadonlyIndexes = ByteString.CopyFrom(Enumerable.Range(_writable.Count, _readonly.Count).Select(i => (byte)i).ToArray()),
            });
        }

        message.Instructions.Add(new ConfirmedBlock.CompiledInstruction
        {
            ProgramIdIndex = (uint)(_static.Count - 1),
            Accounts = ByteString.CopyFrom([0]),
            Data = ByteString.CopyFrom([2, 0, 0, 0]),
        });
        var meta = new ConfirmedBlock.TransactionStatusMeta { Fee = Fee, ComputeUnitsConsumed = 450 };
        meta.PreBalances.AddRange(all.Select(k => k.Pre));
        meta.PostBalances.AddRange(all.Select(k => k.Post));
        meta.LoadedWritableAddresses.AddRange(_writable.Select(k => ByteString.CopyFrom(k.Key.ToArray())));
        meta.LoadedReadonlyAddresses.AddRange(_readonly.Select(k => ByteString.CopyFrom(k.Key.ToArray())));
        meta.PreTokenBalances.AddRange(_preTokens.Select(ProtoToken));
        meta.PostTokenBalances.AddRange(_postTokens.Select(ProtoToken));
        meta.LogMessages.Add("Program 11111111111111111111111111111111 invoke [1]");
        if (Error is { } error)
        {
            meta.Err = new ConfirmedBlock.TransactionError { Err = ByteString.CopyFrom(error.Bincode) };
        }

        var transaction = new ConfirmedBlock.Transaction { Message = message };
        transaction.Signatures.Add(ByteString.CopyFrom(Signature));
        return new SubscribeUpdateTransaction
        {
            Slot = Slot,
            Transaction = new SubscribeUpdateTransactionInfo
            {
                Signature = ByteString.CopyFrom(Signature),
                IsVote = false,
                Transaction = transaction,
                Meta = meta,
                Index = 17,
            },
        };
    }

    /// <summary>The "result" of a getTransaction reply, in the shape and member order an Agave node writes.</summary>
    public string ToRpcJson()
    {
        var all = _static.Concat(_writable).Concat(_readonly).ToList();
        JsonNode? error = Error is { } e ? JsonNode.Parse(e.Json) : null;
        var message = new JsonObject
        {
            ["accountKeys"] = Strings(_static.Select(k => k.Key.ToString())),
            ["header"] = new JsonObject { ["numReadonlySignedAccounts"] = 0, ["numReadonlyUnsignedAccounts"] = 1, ["numRequiredSignatures"] = 1 },
            ["instructions"] = new JsonArray(new JsonObject
            {
                ["accounts"] = new JsonArray(0),
                ["data"] = "3Bxs4h24hBtQy9rw",
                ["programIdIndex"] = _static.Count - 1,
                ["stackHeight"] = null,
            }),
            ["recentBlockhash"] = "11111111111111111111111111111111",
        };
        if (LoadedCount > 0)
        {
            message["addressTableLookups"] = new JsonArray(new JsonObject
            {
                ["accountKey"] = NewKey().ToString(),
                ["readonlyIndexes"] = new JsonArray(Enumerable.Range(_writable.Count, _readonly.Count).Select(i => (JsonNode?)i).ToArray()),
                ["writableIndexes"] = new JsonArray(Enumerable.Range(0, _writable.Count).Select(i => (JsonNode?)i).ToArray()),
            });
        }

        var meta = new JsonObject
        {
            ["computeUnitsConsumed"] = 450,
            ["err"] = error,
            ["fee"] = Fee,
            ["innerInstructions"] = new JsonArray(),
            ["loadedAddresses"] = new JsonObject
            {
                ["readonly"] = Strings(_readonly.Select(k => k.Key.ToString())),
                ["writable"] = Strings(_writable.Select(k => k.Key.ToString())),
            },
            ["logMessages"] = new JsonArray("Program 11111111111111111111111111111111 invoke [1]"),
            ["postBalances"] = new JsonArray(all.Select(k => (JsonNode?)k.Post).ToArray()),
            ["postTokenBalances"] = new JsonArray(_postTokens.Select(JsonToken).ToArray()),
            ["preBalances"] = new JsonArray(all.Select(k => (JsonNode?)k.Pre).ToArray()),
            ["preTokenBalances"] = new JsonArray(_preTokens.Select(JsonToken).ToArray()),
            ["rewards"] = new JsonArray(),
            ["status"] = error is null ? new JsonObject { ["Ok"] = null } : new JsonObject { ["Err"] = error.DeepClone() },
        };
        var result = new JsonObject
        {
            ["blockTime"] = BlockTime,
            ["meta"] = meta,
            ["slot"] = Slot,
            ["transaction"] = new JsonObject { ["message"] = message, ["signatures"] = new JsonArray(SignatureText) },
            ["version"] = LoadedCount > 0 ? JsonValue.Create(0) : JsonValue.Create("legacy"),
        };
        return result.ToJsonString();
    }

    private static ConfirmedBlock.TokenBalance ProtoToken(TokenEntry token)
    {
        return new ConfirmedBlock.TokenBalance
        {
            AccountIndex = (uint)token.Index,
            Mint = token.Mint.ToString(),
            Owner = token.Owner.ToString(),
            ProgramId = token.Program.ToString(),
            UiTokenAmount = new ConfirmedBlock.UiTokenAmount
            {
                Amount = token.Amount.ToString(CultureInfo.InvariantCulture),
                Decimals = (uint)token.Decimals,
                UiAmount = token.Amount / Math.Pow(10, token.Decimals),
                UiAmountString = TokenAmount.Format(token.Amount, token.Decimals),
            },
        };
    }

    private static JsonNode JsonToken(TokenEntry token)
    {
        return new JsonObject
        {
            ["accountIndex"] = token.Index,
            ["mint"] = token.Mint.ToString(),
            ["owner"] = token.Owner.ToString(),
            ["programId"] = token.Program.ToString(),
            ["uiTokenAmount"] = new JsonObject
            {
                ["amount"] = token.Amount.ToString(CultureInfo.InvariantCulture),
                ["decimals"] = token.Decimals,
                // A node writes null for a zero amount.
                ["uiAmount"] = token.Amount == 0 ? null : token.Amount / Math.Pow(10, token.Decimals),
                ["uiAmountString"] = TokenAmount.Format(token.Amount, token.Decimals),
            },
        };
    }

    private static JsonArray Strings(IEnumerable<string> values)
    {
        return new JsonArray(values.Select(v => (JsonNode?)v).ToArray());
    }

    private sealed record TokenEntry(int Index, Pubkey Mint, Pubkey Owner, Pubkey Program, ulong Amount, int Decimals);
}
