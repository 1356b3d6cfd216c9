namespace AccountGrains.Solana.Decoding;

/// <summary>Account data that a decoder cannot decode; the message is the human-readable reason.</summary>
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
}
