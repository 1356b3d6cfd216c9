using System.Text.Json;

namespace AccountGrains.Solana.Decoding;

/// <summary>
/// The base SPL Token state layouts (spl-token program, state.rs), shared by SPL Token and Token-2022,
/// whose mints and accounts begin with exactly these bytes. Each writer reads its fields from the reader
/// and writes them as JSON properties into an object the caller has opened, so a Token-2022 decoder can
/// append extension fields to the same object.
/// </summary>
internal static class TokenLayouts
{
    public const int MintLength = 82;
    public const int AccountLength = 165;
    public const int MultisigLength = 355;
    public const int MaxMultisigSigners = 11;

    public const string MintType = "mint";
    public const string AccountType = "token_account";
    public const string MultisigType = "multisig";

    /// <summary>
    /// Mint: COption&lt;Pubkey&gt; mint_authority, u64 supply, u8 decimals, bool is_initialized,
    /// COption&lt;Pubkey&gt; freeze_authority.
    /// </summary>
    public static void WriteMintFields(ref AccountDataReader reader, Utf8JsonWriter writer)
    {
        JsonFields.WriteOptionalPubkey(writer, "mint_authority"u8, reader.ReadOptionalPubkey("mint_authority"));
        JsonFields.WriteU64String(writer, "supply"u8, reader.ReadU64("supply"));
        writer.WriteNumber("decimals"u8, reader.ReadU8("decimals"));
        writer.WriteBoolean("is_initialized"u8, reader.ReadBool("is_initialized"));
        JsonFields.WriteOptionalPubkey(writer, "freeze_authority"u8, reader.ReadOptionalPubkey("freeze_authority"));
    }

    /// <summary>
    /// Account: Pubkey mint, Pubkey owner, u64 amount, COption&lt;Pubkey&gt; delegate, u8 state,
    /// COption&lt;u64&gt; is_native (the rent-exempt reserve of a wrapped SOL account), u64 delegated_amount,
    /// COption&lt;Pubkey&gt; close_authority.
    /// </summary>
    public static void WriteAccountFields(ref AccountDataReader reader, Utf8JsonWriter writer)
    {
        JsonFields.WritePubkey(writer, "mint"u8, reader.ReadPubkey("mint"));
        JsonFields.WritePubkey(writer, "owner"u8, reader.ReadPubkey("owner"));
        JsonFields.WriteU64String(writer, "amount"u8, reader.ReadU64("amount"));
        JsonFields.WriteOptionalPubkey(writer, "delegate"u8, reader.ReadOptionalPubkey("delegate"));

        byte state = reader.ReadU8("state");
        writer.WriteString("state"u8, state switch
        {
            0 => "uninitialized",
            1 => "initialized",
            2 => "frozen",
            _ => throw new AccountDecodeException($"token account state byte {state} is not 0, 1 or 2"),
        });

        JsonFields.WriteOptionalU64String(writer, "is_native"u8, reader.ReadOptionalU64("is_native"));
        JsonFields.WriteU64String(writer, "delegated_amount"u8, reader.ReadU64("delegated_amount"));
        JsonFields.WriteOptionalPubkey(writer, "close_authority"u8, reader.ReadOptionalPubkey("close_authority"));
    }

    /// <summary>
    /// Multisig: u8 m (signatures required), u8 n (valid signers), bool is_initialized, then 11 signer
    /// slots of which only the first n hold signers.
    /// </summary>
    public static void WriteMultisigFields(ref AccountDataReader reader, Utf8JsonWriter writer)
    {
        byte m = reader.ReadU8("m");
        byte n = reader.ReadU8("n");
        if (n > MaxMultisigSigners)
        {
            throw new AccountDecodeException($"multisig n = {n} exceeds the {MaxMultisigSigners} signer slots");
        }

        writer.WriteNumber("m"u8, m);
        writer.WriteNumber("n"u8, n);
        writer.WriteBoolean("is_initialized"u8, reader.ReadBool("is_initialized"));
        writer.WriteStartArray("signers"u8);
        Span<byte> utf8 = stackalloc byte[Pubkey.MaxBase58Length];
        for (int i = 0; i < MaxMultisigSigners; i++)
        {
            Pubkey signer = reader.ReadPubkey("signers");
            if (i < n)
            {
                int length = signer.EncodeBase58Utf8(utf8);
                writer.WriteStringValue(utf8[..length]);
            }
        }

        writer.WriteEndArray();
    }
}
