namespace AccountGrains;

/// <summary>
/// An account's data decoded by its owner program's decoder. <see cref="FieldsJson"/> is one UTF-8 JSON object,
/// kept as bytes so the gateway splices it into messages without parsing it again.
/// When the data cannot be decoded <see cref="AccountType"/> is <c>unknown</c>, <see cref="Error"/> says why and
/// <see cref="FailureReason"/> is its short code (<c>no_decoder</c>, <c>invalid_length</c>, ...).
/// </summary>
public sealed record DecodedAccount(string Program, string AccountType, byte[] FieldsJson, string? Error, string? FailureReason = null)
{
    public const string UnknownType = "unknown";

    public bool IsDecoded => Error is null;
}
