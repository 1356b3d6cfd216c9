namespace AccountGrains.Solana.Decoding;

/// <summary>
/// Account data that a decoder cannot decode; the message is the human-readable reason and <see cref="Reason"/> its
/// <see cref="DecodeFailure"/> code.
/// </summary>
public sealed class AccountDecodeException : Exception
{
    public AccountDecodeException()
        : base("account data could not be decoded")
    {
    }

    public AccountDecodeException(string message)
        : base(message)
    {
    }

    public AccountDecodeException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>A <see cref="DecodeFailure"/> code; <see cref="DecodeFailure.InvalidData"/> unless the thrower says otherwise.</summary>
    public string Reason { get; init; } = DecodeFailure.InvalidData;
}
