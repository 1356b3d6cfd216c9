using System.Globalization;
using System.Text.Json;
using Geyser;
using AccountGrains.Solana.Rpc;
using AccountGrains.Solana.Rpc.Internal;
using Google.Protobuf;
using Google.Protobuf.Collections;
using ConfirmedBlock = global::Solana.Storage.ConfirmedBlock;

namespace AccountGrains.Solana.Transactions;

/// <summary>
/// What a confirmed transaction did, whichever source reported it (a Yellowstone transaction update or RPC
/// getTransaction): the facts <see cref="WalletActivityAnalyzer"/> works from. Always consistent: the constructor
/// checks that balances line up with <see cref="AccountKeys"/> and throws <see cref="MalformedTransactionException"/>
/// otherwise.
/// </summary>
public sealed class TransactionFacts
{
    private const int SignatureLength = 64;

    /// <summary>
    /// Checks and copies the facts. Account keys are the static keys, then loaded writable, then loaded readonly (the
    /// order balances index into); error is null when the transaction succeeded.
    /// </summary>
    public TransactionFacts(
        string signature,
        ulong slot,
        long? blockTime,
        string? error,
        ulong fee,
        IReadOnlyList<Pubkey> accountKeys,
        IReadOnlyList<ulong> preBalances,
        IReadOnlyList<ulong> postBalances,
        IReadOnlyList<TokenBalanceFact> preTokenBalances,
        IReadOnlyList<TokenBalanceFact> postTokenBalances)
    {
        ArgumentNullException.ThrowIfNull(signature);
        ArgumentNullException.ThrowIfNull(accountKeys);
        ArgumentNullException.ThrowIfNull(preBalances);
        ArgumentNullException.ThrowIfNull(postBalances);
        ArgumentNullException.ThrowIfNull(preTokenBalances);
        ArgumentNullException.ThrowIfNull(postTokenBalances);
        Span<byte> signatureBytes = stackalloc byte[SignatureLength + 1];
        if (!Base58.TryDecode(signature, signatureBytes, out int written) || written != SignatureLength)
        {
            throw new MalformedTransactionException($"signature {ErrorText.Quote(signature)} is not {SignatureLength} bytes of base58");
        }

        if (accountKeys.Count == 0)
        {
            throw new MalformedTransactionException($"transaction {signature} has no account keys (the first key is the fee payer)");
        }

        CheckCount(signature, "pre balances", preBalances.Count, accountKeys.Count);
        CheckCount(signature, "post balances", postBalances.Count, accountKeys.Count);
        CheckTokenBalances(signature, "pre token balances", preTokenBalances, accountKeys.Count);
        CheckTokenBalances(signature, "post token balances", postTokenBalances, accountKeys.Count);

        Signature = signature;
        Slot = slot;
        BlockTime = blockTime;
        Error = error;
        Fee = fee;
        AccountKeys = [.. accountKeys];
        PreBalances = [.. preBalances];
        PostBalances = [.. postBalances];
        PreTokenBalances = [.. preTokenBalances];
        PostTokenBalances = [.. postTokenBalances];
    }

    /// <summary>The first signature, base58: the transaction's id.</summary>
    public string Signature { get; }

    public ulong Slot { get; }

    /// <summary>Unix seconds; null when the source does not say (Yellowstone transaction updates carry no block time).</summary>
    public long? BlockTime { get; }

    /// <summary>True when the transaction succeeded. A failed transaction still paid its <see cref="Fee"/>.</summary>
    public bool Succeeded => Error is null;

    /// <summary>Why the transaction failed, one line ("instruction 1: custom program error 0x1771"); null on success.</summary>
    public string? Error { get; }

    /// <summary>Lamports charged to <see cref="FeePayer"/>.</summary>
    public ulong Fee { get; }

    /// <summary>The first account key: the account that paid the fee.</summary>
    public Pubkey FeePayer => AccountKeys[0];

    /// <summary>Static keys, then the addresses loaded from lookup tables (writable, then readonly).</summary>
    public IReadOnlyList<Pubkey> AccountKeys { get; }

    /// <summary>Lamports per key before the transaction, in <see cref="AccountKeys"/> order.</summary>
    public IReadOnlyList<ulong> PreBalances { get; }

    /// <summary>Lamports per key after the transaction, in <see cref="AccountKeys"/> order.</summary>
    public IReadOnlyList<ulong> PostBalances { get; }

    public IReadOnlyList<TokenBalanceFact> PreTokenBalances { get; }

    public IReadOnlyList<TokenBalanceFact> PostTokenBalances { get; }

    /// <summary>
    /// Facts from a Yellowstone transaction update. The update carries no block time; pass it when known (from the
    /// block meta of the same slot).
    /// </summary>
    /// <exception cref="MalformedTransactionException">The update lacks the transaction or its meta, or its keys or balances do not line up.</exception>
    public static TransactionFacts FromYellowstone(SubscribeUpdateTransaction update, long? blockTime = null)
    {
        ArgumentNullException.ThrowIfNull(update);
        SubscribeUpdateTransactionInfo info = update.Transaction
            ?? throw new MalformedTransactionException($"transaction update at slot {update.Slot} has no transaction");
        if (info.Signature.Length != SignatureLength)
        {
            throw new MalformedTransactionException(
                $"transaction update at slot {update.Slot} has a {info.Signature.Length}-byte signature; a signature is {SignatureLength} bytes");
        }

        string signature = Base58.Encode(info.Signature.Span);
        ConfirmedBlock.Message message = info.Transaction?.Message
            ?? throw new MalformedTransactionException($"transaction {signature} has no message");
        ConfirmedBlock.TransactionStatusMeta meta = info.Meta
            ?? throw new MalformedTransactionException($"transaction {signature} has no meta (status, fee and balances)");

        var keys = new List<Pubkey>(message.AccountKeys.Count + meta.LoadedWritableAddresses.Count + meta.LoadedReadonlyAddresses.Count);
        AddKeys(signature, "account key", message.AccountKeys, keys);
        AddKeys(signature, "loaded writable address", meta.LoadedWritableAddresses, keys);
        AddKeys(signature, "loaded readonly address", meta.LoadedReadonlyAddresses, keys);

        return new TransactionFacts(
            signature,
            update.Slot,
            blockTime,
            meta.Err is null ? null : TransactionErrorText.FromBincode(meta.Err.Err.Span),
            meta.Fee,
            keys,
            meta.PreBalances,
            meta.PostBalances,
            meta.PreTokenBalances.Select((b, i) => TokenBalance(signature, $"pre token balance {i}", b)).ToList(),
            meta.PostTokenBalances.Select((b, i) => TokenBalance(signature, $"post token balance {i}", b)).ToList());
    }

    /// <summary>
    /// Facts from a getTransaction result requested with encoding "json" and maxSupportedTransactionVersion 0 (the
    /// "result" member of the reply, not null).
    /// </summary>
    /// <exception cref="MalformedTransactionException">The result lacks meta, or a member is missing or of the wrong type, or keys and balances do not line up.</exception>
    public static TransactionFacts FromRpc(JsonElement result)
    {
        if (result.ValueKind != JsonValueKind.Object)
        {
            throw new MalformedTransactionException($"a getTransaction result is an object, not {result.ValueKind}");
        }

        if (!result.TryGetProperty("meta", out JsonElement meta) || meta.ValueKind != JsonValueKind.Object)
        {
            throw new MalformedTransactionException("getTransaction result has no meta (status, fee and balances)");
        }

        RpcTransaction transaction;
        try
        {
            transaction = TransactionReader.Read(result);
        }
        catch (RpcFormatException e)
        {
            throw new MalformedTransactionException($"getTransaction result is malformed: {e.Message}", e);
        }

        string? error = meta.TryGetProperty("err", out JsonElement err) && err.ValueKind != JsonValueKind.Null
            ? TransactionErrorText.FromJson(err)
            : null;
        return FromRpc(transaction, error);
    }

    /// <summary>Facts from <see cref="SolanaRpcClient.GetTransactionAsync"/>'s result.</summary>
    /// <exception cref="MalformedTransactionException">Keys and balances do not line up, or a key, mint or amount does not parse.</exception>
    public static TransactionFacts FromRpc(RpcTransaction transaction)
    {
        ArgumentNullException.ThrowIfNull(transaction);
        string? error = null;
        if (transaction.Error is not null)
        {
            using var document = JsonDocument.Parse(transaction.Error);
            error = TransactionErrorText.FromJson(document.RootElement);
        }

        return FromRpc(transaction, error);
    }

    private static TransactionFacts FromRpc(RpcTransaction transaction, string? error)
    {
        if (transaction.Signatures.Count == 0)
        {
            throw new MalformedTransactionException($"transaction at slot {transaction.Slot} has no signatures");
        }

        string signature = transaction.Signatures[0];
        var keys = transaction.AccountKeys.Select((k, i) => ParseKey(signature, $"account key {i}", k)).ToList();
        return new TransactionFacts(
            signature,
            transaction.Slot,
            transaction.BlockTime,
            error,
            transaction.Fee,
            keys,
            transaction.PreBalances,
            transaction.PostBalances,
            transaction.PreTokenBalances.Select((b, i) => TokenBalance(signature, $"pre token balance {i}", b)).ToList(),
            transaction.PostTokenBalances.Select((b, i) => TokenBalance(signature, $"post token balance {i}", b)).ToList());
    }

    private static TokenBalanceFact TokenBalance(string signature, string what, ConfirmedBlock.TokenBalance balance)
    {
        ConfirmedBlock.UiTokenAmount amount = balance.UiTokenAmount
            ?? throw new MalformedTransactionException($"transaction {signature}: {what} has no amount");
        return TokenBalance(
            signature,
            what,
            balance.AccountIndex,
            balance.Mint,
            balance.Owner.Length == 0 ? null : balance.Owner,
            balance.ProgramId.Length == 0 ? null : balance.ProgramId,
            amount.Amount,
            amount.Decimals);
    }

    private static TokenBalanceFact TokenBalance(string signature, string what, RpcTokenBalance balance)
    {
        return TokenBalance(signature, what, balance.AccountIndex, balance.Mint, balance.Owner, balance.ProgramId, balance.Amount, balance.Decimals);
    }

    private static TokenBalanceFact TokenBalance(
        string signature, string what, long accountIndex, string mint, string? owner, string? programId, string amount, long decimals)
    {
        // The index is checked against the keys by the constructor; one past int's range cannot be valid either.
        if (accountIndex is < 0 or > int.MaxValue)
        {
            throw new MalformedTransactionException($"transaction {signature}: {what} names account index {accountIndex}");
        }

        if (!ulong.TryParse(amount, NumberStyles.None, CultureInfo.InvariantCulture, out ulong raw))
        {
            throw new MalformedTransactionException(
                $"transaction {signature}: {what} has amount {ErrorText.Quote(amount)}; an amount is a whole number of base units from 0 to {ulong.MaxValue}");
        }

        if (decimals is < 0 or > byte.MaxValue)
        {
            throw new MalformedTransactionException($"transaction {signature}: {what} has {decimals} decimals; a mint has 0 to 255");
        }

        return new TokenBalanceFact(
            (int)accountIndex,
            ParseKey(signature, $"{what} mint", mint),
            owner is null ? null : ParseKey(signature, $"{what} owner", owner),
            programId is null ? null : ParseKey(signature, $"{what} program id", programId),
            raw,
            (byte)decimals);
    }

    private static void AddKeys(string signature, string what, RepeatedField<ByteString> source, List<Pubkey> keys)
    {
        for (int i = 0; i < source.Count; i++)
        {
            if (source[i].Length != Pubkey.Length)
            {
                throw new MalformedTransactionException(
                    $"transaction {signature}: {what} {i} is {source[i].Length} bytes; a key is {Pubkey.Length} bytes");
            }

            keys.Add(new Pubkey(source[i].Span));
        }
    }

    private static Pubkey ParseKey(string signature, string what, string text)
    {
        return Pubkey.TryParse(text, out Pubkey key, out string? error)
            ? key
            : throw new MalformedTransactionException($"transaction {signature}: {what}: {error}");
    }

    private static void CheckCount(string signature, string what, int count, int keyCount)
    {
        if (count != keyCount)
        {
            throw new MalformedTransactionException(
                $"transaction {signature} has {count} {what} for {keyCount} account keys; there is one per key (static, then loaded writable, then loaded readonly)");
        }
    }

    private static void CheckTokenBalances(string signature, string what, IReadOnlyList<TokenBalanceFact> balances, int keyCount)
    {
        var seen = new HashSet<int>();
        foreach (TokenBalanceFact balance in balances)
        {
            if (balance.AccountIndex < 0 || balance.AccountIndex >= keyCount)
            {
                throw new MalformedTransactionException(
                    $"transaction {signature}: {what} name account index {balance.AccountIndex}, but there are {keyCount} account keys");
            }

            if (!seen.Add(balance.AccountIndex))
            {
                throw new MalformedTransactionException($"transaction {signature}: {what} list account index {balance.AccountIndex} twice");
            }
        }
    }
}
