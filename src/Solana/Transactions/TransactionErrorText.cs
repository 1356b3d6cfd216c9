using System.Buffers.Binary;
using System.Globalization;
using System.Text;
using System.Text.Json;

namespace AccountGrains.Solana.Transactions;

/// <summary>
/// One readable line for a failed transaction's error, the same whichever source it came from: RPC gives meta.err as
/// JSON ({"InstructionError":[1,{"Custom":6001}]}), Yellowstone as the bincode bytes of the same Rust
/// TransactionError. Both become "instruction 1: custom program error 0x1771". Unknown shapes are shown raw
/// (compact JSON, or the bytes in hex) rather than dropped.
/// </summary>
internal static class TransactionErrorText
{
    // solana-transaction-error TransactionError, in declaration order (bincode writes the variant index as u32).
    private static readonly string[] TransactionErrors =
    [
        "AccountInUse", "AccountLoadedTwice", "AccountNotFound", "ProgramAccountNotFound", "InsufficientFundsForFee",
        "InvalidAccountForFee", "AlreadyProcessed", "BlockhashNotFound", "InstructionError", "CallChainTooDeep",
        "MissingSignatureForFee", "InvalidAccountIndex", "SignatureFailure", "InvalidProgramForExecution", "SanitizeFailure",
        "ClusterMaintenance", "AccountBorrowOutstanding", "WouldExceedMaxBlockCostLimit", "UnsupportedVersion",
        "InvalidWritableAccount", "WouldExceedMaxAccountCostLimit", "WouldExceedAccountDataBlockLimit", "TooManyAccountLocks",
        "AddressLookupTableNotFound", "InvalidAddressLookupTableOwner", "InvalidAddressLookupTableData",
        "InvalidAddressLookupTableIndex", "InvalidRentPayingAccount", "WouldExceedMaxVoteCostLimit",
        "WouldExceedAccountDataTotalLimit", "DuplicateInstruction", "InsufficientFundsForRent",
        "MaxLoadedAccountsDataSizeExceeded", "InvalidLoadedAccountsDataSizeLimit", "ResanitizationNeeded",
        "ProgramExecutionTemporarilyRestricted", "UnbalancedTransaction", "ProgramCacheHitMaxLimit", "CommitCancelled",
    ];

    // solana-instruction InstructionError, in declaration order.
    private static readonly string[] InstructionErrors =
    [
        "GenericError", "InvalidArgument", "InvalidInstructionData", "InvalidAccountData", "AccountDataTooSmall",
        "InsufficientFunds", "IncorrectProgramId", "MissingRequiredSignature", "AccountAlreadyInitialized",
        "UninitializedAccount", "UnbalancedInstruction", "ModifiedProgramId", "ExternalAccountLamportSpend",
        "ExternalAccountDataModified", "ReadonlyLamportChange", "ReadonlyDataModified", "DuplicateAccountIndex",
        "ExecutableModified", "RentEpochModified", "NotEnoughAccountKeys", "AccountDataSizeChanged", "AccountNotExecutable",
        "AccountBorrowFailed", "AccountBorrowOutstanding", "DuplicateAccountOutOfSync", "Custom", "InvalidError",
        "ExecutableDataModified", "ExecutableLamportChange", "ExecutableAccountNotRentExempt", "UnsupportedProgramId",
        "CallDepth", "MissingAccount", "ReentrancyNotAllowed", "MaxSeedLengthExceeded", "InvalidSeeds", "InvalidRealloc",
        "ComputationalBudgetExceeded", "PrivilegeEscalation", "ProgramEnvironmentSetupFailure", "ProgramFailedToComplete",
        "ProgramFailedToCompile", "Immutable", "IncorrectAuthority", "BorshIoError", "AccountNotRentExempt",
        "InvalidAccountOwner", "ArithmeticOverflow", "UnsupportedSysvar", "IllegalOwner", "MaxAccountsDataAllocationsExceeded",
        "MaxAccountsResized", "MaxInstructionTraceLengthExceeded", "BuiltinProgramsMustConsumeComputeUnits",
    ];

    private const int InstructionErrorIndex = 8;
    private const int DuplicateInstructionIndex = 30;
    private const int InsufficientFundsForRentIndex = 31;
    private const int ProgramExecutionTemporarilyRestrictedIndex = 35;
    private const int CustomIndex = 25;
    private const int BorshIoErrorIndex = 44;

    /// <summary>Text for RPC's meta.err (any JSON value but null).</summary>
    public static string FromJson(JsonElement err)
    {
        if (err.ValueKind == JsonValueKind.String)
        {
            return err.GetString()!;
        }

        if (err.ValueKind == JsonValueKind.Object && err.EnumerateObject().Count() == 1)
        {
            JsonProperty variant = err.EnumerateObject().First();
            JsonElement value = variant.Value;
            switch (variant.Name)
            {
                case "InstructionError" when value.ValueKind == JsonValueKind.Array && value.GetArrayLength() == 2
                                             && value[0].TryGetByte(out byte instruction):
                    return $"instruction {instruction}: {InstructionFromJson(value[1])}";
                case "DuplicateInstruction" when value.TryGetByte(out byte instruction):
                    return $"DuplicateInstruction (instruction {instruction})";
                case "InsufficientFundsForRent" or "ProgramExecutionTemporarilyRestricted"
                    when value.ValueKind == JsonValueKind.Object && value.TryGetProperty("account_index", out JsonElement index)
                                                                 && index.TryGetByte(out byte account):
                    return $"{variant.Name} (account {account})";
            }
        }

        return JsonSerializer.Serialize(err);
    }

    /// <summary>Text for Yellowstone's TransactionError.err (bincode).</summary>
    public static string FromBincode(ReadOnlySpan<byte> err)
    {
        string? text = TryBincode(err);
        return text ?? $"unrecognised error (bincode {Convert.ToHexString(err)})";
    }

    private static string InstructionFromJson(JsonElement error)
    {
        if (error.ValueKind == JsonValueKind.String)
        {
            return error.GetString()!;
        }

        if (error.ValueKind == JsonValueKind.Object && error.TryGetProperty("Custom", out JsonElement custom) && custom.TryGetUInt32(out uint code))
        {
            return Custom(code);
        }

        if (error.ValueKind == JsonValueKind.Object && error.TryGetProperty("BorshIoError", out JsonElement borsh) && borsh.ValueKind == JsonValueKind.String)
        {
            return $"BorshIoError: {borsh.GetString()}";
        }

        return JsonSerializer.Serialize(error);
    }

    private static string? TryBincode(ReadOnlySpan<byte> err)
    {
        if (err.Length < 4)
        {
            return null;
        }

        uint variant = BinaryPrimitives.ReadUInt32LittleEndian(err);
        ReadOnlySpan<byte> rest = err[4..];
        if (variant >= TransactionErrors.Length)
        {
            return null;
        }

        switch ((int)variant)
        {
            case InstructionErrorIndex:
                return rest.Length >= 5 ? InstructionFromBincode(rest[0], rest[1..]) : null;
            case DuplicateInstructionIndex:
                return rest.Length == 1 ? $"DuplicateInstruction (instruction {rest[0]})" : null;
            case InsufficientFundsForRentIndex or ProgramExecutionTemporarilyRestrictedIndex:
                return rest.Length == 1 ? $"{TransactionErrors[variant]} (account {rest[0]})" : null;
            default:
                return rest.IsEmpty ? TransactionErrors[variant] : null;
        }
    }

    private static string? InstructionFromBincode(byte instruction, ReadOnlySpan<byte> error)
    {
        uint variant = BinaryPrimitives.ReadUInt32LittleEndian(error);
        ReadOnlySpan<byte> rest = error[4..];
        if (variant >= InstructionErrors.Length)
        {
            return null;
        }

        string text;
        if (variant == CustomIndex)
        {
            if (rest.Length != 4)
            {
                return null;
            }

            text = Custom(BinaryPrimitives.ReadUInt32LittleEndian(rest));
        }
        else if (variant == BorshIoErrorIndex && rest.Length >= 8)
        {
            // BorshIoError(String) in older releases: u64 length then UTF-8; a unit variant in newer ones.
            ulong length = BinaryPrimitives.ReadUInt64LittleEndian(rest);
            if (length != (ulong)(rest.Length - 8))
            {
                return null;
            }

            text = $"BorshIoError: {Encoding.UTF8.GetString(rest[8..])}";
        }
        else if (rest.IsEmpty)
        {
            text = InstructionErrors[variant];
        }
        else
        {
            return null;
        }

        return $"instruction {instruction}: {text}";
    }

    // The wording of solana-instruction's Display for Custom.
    private static string Custom(uint code)
    {
        return string.Create(CultureInfo.InvariantCulture, $"custom program error 0x{code:x}");
    }
}
