namespace AccountGrains.Solana.Decoding;

/// <summary>
/// Why data was not decoded, as a short stable code: the <c>reason</c> tag of the decode-failure counter (free-text
/// messages would make unbounded tag values).
/// </summary>
public static class DecodeFailure
{
    /// <summary>No decoder is registered for the owner program.</summary>
    public const string NoDecoder = "no_decoder";

    /// <summary>The data's length matches no account type of the program.</summary>
    public const string InvalidLength = "invalid_length";

    /// <summary>The 8-byte Anchor discriminator matches no account of the IDL.</summary>
    public const string UnknownDiscriminator = "unknown_discriminator";

    /// <summary>The data ended before a field did.</summary>
    public const string Truncated = "truncated";

    /// <summary>A field holds a value its type does not allow (an option tag of 7, a bool of 2, an unknown enum variant).</summary>
    public const string InvalidData = "invalid_data";

    /// <summary>The decoder itself failed: a bug, reported instead of breaking the stream.</summary>
    public const string DecoderFault = "decoder_fault";
}
