namespace AccountGrains.Solana.Decoding.Anchor;

/// <summary>
/// An Anchor IDL that cannot be read or used for decoding. The message names the file (when loaded from one), the
/// entry of the IDL (e.g. <c>types[12] 'Pool' field 'sqrt_price'</c>) and what is wrong with it. A
/// <see cref="FormatException"/>, so configuration validation that catches format errors catches it too (an
/// unreadable file is reported the same way, with the I/O error as the inner exception).
/// </summary>
public sealed class AnchorIdlException : FormatException
{
    public AnchorIdlException()
        : base("the Anchor IDL cannot be used")
    {
    }

    public AnchorIdlException(string message)
        : base(message)
    {
    }

    public AnchorIdlException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
