using System.Text;
using System.Text.Json;
using System.Text.Unicode;

namespace AccountGrains.Solana.Decoding.Token2022;

/// <summary>
/// The Token-2022 extensions this decoder understands: their ExtensionType ids (spl-token-2022 extension/mod.rs, the
/// same numbers as @solana/spl-token's ExtensionType enum), JSON names and value layouts. Every fixed-size value is
/// a Pod struct, read field by field in declaration order with no padding; OptionalNonZeroPubkey fields are 32
/// bytes where all zeros means none, Pod bools are true for any non-zero byte, as the program reads them.
/// </summary>
internal static class Token2022Extensions
{
    public const ushort UninitializedType = 0;
    public const ushort TransferFeeConfig = 1;
    public const ushort TransferFeeAmount = 2;
    public const ushort MintCloseAuthority = 3;
    public const ushort DefaultAccountState = 6;
    public const ushort ImmutableOwner = 7;
    public const ushort MemoTransfer = 8;
    public const ushort NonTransferable = 9;
    public const ushort InterestBearingConfig = 10;
    public const ushort CpiGuard = 11;
    public const ushort PermanentDelegate = 12;
    public const ushort NonTransferableAccount = 13;
    public const ushort TransferHook = 14;
    public const ushort TransferHookAccount = 15;
    public const ushort MetadataPointer = 18;
    public const ushort TokenMetadata = 19;
    public const ushort GroupPointer = 20;
    public const ushort TokenGroup = 21;
    public const ushort GroupMemberPointer = 22;
    public const ushort TokenGroupMember = 23;
    public const ushort ScaledUiAmount = 25;
    public const ushort Pausable = 26;
    public const ushort PausableAccount = 27;

    /// <summary>Value length of a TransferFee (epoch, maximum_fee, basis points) inside TransferFeeConfig.</summary>
    private const int TransferFeeLength = 8 + 8 + 2;

    /// <summary>The JSON key of a decoded extension; empty for types this decoder does not decode.</summary>
    public static ReadOnlySpan<byte> Name(ushort type)
    {
        return type switch
        {
            TransferFeeConfig => "transfer_fee_config"u8,
            TransferFeeAmount => "transfer_fee_amount"u8,
            MintCloseAuthority => "mint_close_authority"u8,
            DefaultAccountState => "default_account_state"u8,
            ImmutableOwner => "immutable_owner"u8,
            MemoTransfer => "memo_transfer"u8,
            NonTransferable => "non_transferable"u8,
            InterestBearingConfig => "interest_bearing_config"u8,
            CpiGuard => "cpi_guard"u8,
            PermanentDelegate => "permanent_delegate"u8,
            NonTransferableAccount => "non_transferable_account"u8,
            TransferHook => "transfer_hook"u8,
            TransferHookAccount => "transfer_hook_account"u8,
            MetadataPointer => "metadata_pointer"u8,
            TokenMetadata => "token_metadata"u8,
            GroupPointer => "group_pointer"u8,
            TokenGroup => "token_group"u8,
            GroupMemberPointer => "group_member_pointer"u8,
            TokenGroupMember => "token_group_member"u8,
            ScaledUiAmount => "scaled_ui_amount"u8,
            Pausable => "pausable"u8,
            PausableAccount => "pausable_account"u8,
            _ => default,
        };
    }

    public static bool IsDecoded(ushort type)
    {
        return !Name(type).IsEmpty;
    }

    /// <summary>"extension transfer_fee_config (type 1)", or "extension type 4" for a type not decoded here; for messages.</summary>
    public static string Describe(ushort type)
    {
        ReadOnlySpan<byte> name = Name(type);
        return name.IsEmpty ? $"extension type {type}" : $"extension {Encoding.UTF8.GetString(name)} (type {type})";
    }

    /// <summary>
    /// Writes one decoded extension as a property named after it into the open "extensions" object. Takes the whole
    /// account data, so offsets in messages are the account's.
    /// </summary>
    public static void Write(ReadOnlySpan<byte> data, Token2022TlvEntry entry, Utf8JsonWriter writer)
    {
        int expected = FixedLength(entry.Type);
        if (expected >= 0 && entry.Length != expected)
        {
            throw new AccountDecodeException(
                $"{Describe(entry.Type)} at offset {entry.Offset} has length {entry.Length}, not its size {expected}");
        }

        // A reader over the data up to the end of this value, moved to its start: reads cannot run into the next
        // entry, and offsets in messages are the account's.
        var reader = new AccountDataReader(data[..entry.ValueEnd]);
        reader.ReadBytes(entry.ValueStart, "extension header");

        writer.WriteStartObject(Name(entry.Type));
        switch (entry.Type)
        {
            case TransferFeeConfig:
                WriteKey(writer, ref reader, "transfer_fee_config_authority"u8, "transfer_fee_config_authority");
                WriteKey(writer, ref reader, "withdraw_withheld_authority"u8, "withdraw_withheld_authority");
                JsonFields.WriteU64String(writer, "withheld_amount"u8, reader.ReadU64("withheld_amount"));
                WriteTransferFee(writer, ref reader, "older_transfer_fee"u8, "older_transfer_fee");
                WriteTransferFee(writer, ref reader, "newer_transfer_fee"u8, "newer_transfer_fee");
                break;
            case TransferFeeAmount:
                JsonFields.WriteU64String(writer, "withheld_amount"u8, reader.ReadU64("withheld_amount"));
                break;
            case MintCloseAuthority:
                WriteKey(writer, ref reader, "close_authority"u8, "close_authority");
                break;
            case DefaultAccountState:
                WriteDefaultAccountState(writer, ref reader);
                break;
            case MemoTransfer:
                writer.WriteBoolean("require_incoming_transfer_memos"u8, reader.ReadPodBool("require_incoming_transfer_memos"));
                break;
            case InterestBearingConfig:
                WriteKey(writer, ref reader, "rate_authority"u8, "rate_authority");
                writer.WriteNumber("initialization_timestamp"u8, reader.ReadI64("initialization_timestamp"));
                writer.WriteNumber("pre_update_average_rate"u8, reader.ReadI16("pre_update_average_rate"));
                writer.WriteNumber("last_update_timestamp"u8, reader.ReadI64("last_update_timestamp"));
                writer.WriteNumber("current_rate"u8, reader.ReadI16("current_rate"));
                break;
            case CpiGuard:
                writer.WriteBoolean("lock_cpi"u8, reader.ReadPodBool("lock_cpi"));
                break;
            case PermanentDelegate:
                WriteKey(writer, ref reader, "delegate"u8, "delegate");
                break;
            case TransferHook:
                WriteKey(writer, ref reader, "authority"u8, "transfer_hook authority");
                WriteKey(writer, ref reader, "program_id"u8, "transfer_hook program_id");
                break;
            case TransferHookAccount:
                writer.WriteBoolean("transferring"u8, reader.ReadPodBool("transferring"));
                break;
            case MetadataPointer:
                WriteKey(writer, ref reader, "authority"u8, "metadata_pointer authority");
                WriteKey(writer, ref reader, "metadata_address"u8, "metadata_address");
                break;
            case TokenMetadata:
                WriteTokenMetadata(writer, ref reader);
                break;
            case GroupPointer:
                WriteKey(writer, ref reader, "authority"u8, "group_pointer authority");
                WriteKey(writer, ref reader, "group_address"u8, "group_address");
                break;
            case TokenGroup:
                WriteKey(writer, ref reader, "update_authority"u8, "token_group update_authority");
                JsonFields.WritePubkey(writer, "mint"u8, reader.ReadPubkey("token_group mint"));
                JsonFields.WriteU64String(writer, "size"u8, reader.ReadU64("token_group size"));
                JsonFields.WriteU64String(writer, "max_size"u8, reader.ReadU64("token_group max_size"));
                break;
            case GroupMemberPointer:
                WriteKey(writer, ref reader, "authority"u8, "group_member_pointer authority");
                WriteKey(writer, ref reader, "member_address"u8, "member_address");
                break;
            case TokenGroupMember:
                JsonFields.WritePubkey(writer, "mint"u8, reader.ReadPubkey("token_group_member mint"));
                JsonFields.WritePubkey(writer, "group"u8, reader.ReadPubkey("token_group_member group"));
                JsonFields.WriteU64String(writer, "member_number"u8, reader.ReadU64("member_number"));
                break;
            case ScaledUiAmount:
                WriteKey(writer, ref reader, "authority"u8, "scaled_ui_amount authority");
                WriteMultiplier(writer, ref reader, "multiplier"u8, "multiplier");
                writer.WriteNumber("new_multiplier_effective_timestamp"u8, reader.ReadI64("new_multiplier_effective_timestamp"));
                WriteMultiplier(writer, ref reader, "new_multiplier"u8, "new_multiplier");
                break;
            case Pausable:
                WriteKey(writer, ref reader, "authority"u8, "pausable authority");
                writer.WriteBoolean("paused"u8, reader.ReadPodBool("paused"));
                break;
            default:
                // ImmutableOwner, NonTransferable, NonTransferableAccount, PausableAccount: markers without fields.
                break;
        }

        writer.WriteEndObject();
    }

    /// <summary>The exact value length of a fixed-size extension, or -1 for TokenMetadata (borsh, variable).</summary>
    private static int FixedLength(ushort type)
    {
        return type switch
        {
            TransferFeeConfig => Pubkey.Length + Pubkey.Length + 8 + TransferFeeLength + TransferFeeLength,
            TransferFeeAmount => 8,
            MintCloseAuthority or PermanentDelegate => Pubkey.Length,
            DefaultAccountState or MemoTransfer or CpiGuard or TransferHookAccount => 1,
            InterestBearingConfig => Pubkey.Length + 8 + 2 + 8 + 2,
            TransferHook or MetadataPointer or GroupPointer or GroupMemberPointer => Pubkey.Length + Pubkey.Length,
            TokenGroup => Pubkey.Length + Pubkey.Length + 8 + 8,
            TokenGroupMember => Pubkey.Length + Pubkey.Length + 8,
            ScaledUiAmount => Pubkey.Length + 8 + 8 + 8,
            Pausable => Pubkey.Length + 1,
            TokenMetadata => -1,
            _ => 0,
        };
    }

    private static void WriteKey(Utf8JsonWriter writer, ref AccountDataReader reader, ReadOnlySpan<byte> name, string field)
    {
        JsonFields.WriteOptionalPubkey(writer, name, reader.ReadOptionalNonZeroPubkey(field));
    }

    private static void WriteTransferFee(Utf8JsonWriter writer, ref AccountDataReader reader, ReadOnlySpan<byte> name, string field)
    {
        writer.WriteStartObject(name);
        JsonFields.WriteU64String(writer, "epoch"u8, reader.ReadU64(field));
        JsonFields.WriteU64String(writer, "maximum_fee"u8, reader.ReadU64(field));
        writer.WriteNumber("transfer_fee_basis_points"u8, reader.ReadU16(field));
        writer.WriteEndObject();
    }

    private static void WriteDefaultAccountState(Utf8JsonWriter writer, ref AccountDataReader reader)
    {
        int offset = reader.Offset;
        byte state = reader.ReadU8("default_account_state state");
        writer.WriteString("state"u8, state switch
        {
            0 => "uninitialized"u8,
            1 => "initialized"u8,
            2 => "frozen"u8,
            _ => throw new AccountDecodeException($"default_account_state state byte {state} at offset {offset} is not 0, 1 or 2"),
        });
    }

    // JSON has no NaN or infinity, and the program only ever stores positive normal multipliers (it rejects anything
    // else with InvalidScale), so a non-finite one is invalid data rather than something to print.
    private static void WriteMultiplier(Utf8JsonWriter writer, ref AccountDataReader reader, ReadOnlySpan<byte> name, string field)
    {
        int offset = reader.Offset;
        double value = reader.ReadF64(field);
        if (!double.IsFinite(value))
        {
            throw new AccountDecodeException($"scaled_ui_amount {field} at offset {offset} is {value}, not a finite number");
        }

        writer.WriteNumber(name, value);
    }

    /// <summary>
    /// spl-token-metadata's TokenMetadata, borsh: update_authority (OptionalNonZeroPubkey), mint, name, symbol, uri
    /// (each a u32 byte count and UTF-8) and additional_metadata, a u32 count of (key, value) string pairs, written as
    /// [key, value] arrays because keys need not be unique. Like borsh::from_slice, every byte of the value must be used.
    /// </summary>
    private static void WriteTokenMetadata(Utf8JsonWriter writer, ref AccountDataReader reader)
    {
        WriteKey(writer, ref reader, "update_authority"u8, "token_metadata update_authority");
        JsonFields.WritePubkey(writer, "mint"u8, reader.ReadPubkey("token_metadata mint"));
        writer.WriteString("name"u8, ReadString(ref reader, "token_metadata name"));
        writer.WriteString("symbol"u8, ReadString(ref reader, "token_metadata symbol"));
        writer.WriteString("uri"u8, ReadString(ref reader, "token_metadata uri"));

        uint count = reader.ReadU32("token_metadata additional_metadata count");
        writer.WriteStartArray("additional_metadata"u8);
        // Each pair takes at least 8 bytes, so a huge count runs out of data after a few iterations.
        for (uint i = 0; i < count; i++)
        {
            writer.WriteStartArray();
            writer.WriteStringValue(ReadString(ref reader, "token_metadata additional_metadata key"));
            writer.WriteStringValue(ReadString(ref reader, "token_metadata additional_metadata value"));
            writer.WriteEndArray();
        }

        writer.WriteEndArray();
        if (reader.Remaining != 0)
        {
            throw new AccountDecodeException(
                $"token_metadata ends at offset {reader.Offset} with {reader.Remaining} unused bytes left in its extension");
        }
    }

    private static ReadOnlySpan<byte> ReadString(ref AccountDataReader reader, string field)
    {
        int offset = reader.Offset;
        ReadOnlySpan<byte> utf8 = reader.ReadLengthPrefixedBytes(field);
        if (!Utf8.IsValid(utf8))
        {
            throw new AccountDecodeException($"{field} at offset {offset} is not valid UTF-8");
        }

        return utf8;
    }
}
