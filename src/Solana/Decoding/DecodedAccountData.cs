namespace AccountGrains.Solana.Decoding;

/// <summary>The outcome of decoding one account's data.</summary>
/// <param name="Program">The decoder's program name, or the owner's base58 id when no decoder knows it.</param>
/// <param name="AccountType">The account type, or "unknown" when the data was not decoded.</param>
/// <param name="FieldsJson">
/// One UTF-8 JSON object; "{}" when the data was not decoded. A byte array because the gateway splices
/// these bytes into messages as they are. Record equality compares it by reference, not content.
/// </param>
/// <param name="Error">Why the data was not decoded; null on success.</param>
/// <param name="FailureReason">The <see cref="DecodeFailure"/> code of <paramref name="Error"/>; null on success.</param>
public sealed record DecodedAccountData(string Program, string AccountType, byte[] FieldsJson, string? Error, string? FailureReason = null)
{
    /// <summary>The account type reported when data could not be decoded.</summary>
    public const string UnknownAccountType = "unknown";

    /// <summary>True when a decoder understood the data.</summary>
    public bool IsDecoded => Error is null;
}
