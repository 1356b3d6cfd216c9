using System.Text.Json;

namespace AccountGrains.Solana.Decoding.Anchor;

/// <summary>
/// Writes derived values of one account as properties of the <c>"derived"</c> object, which the decoder has opened
/// after the account's IDL fields.
/// </summary>
/// <param name="accountData">
/// The account data after the discriminator. The IDL fields have been decoded from it without error, so it holds at
/// least every fixed-size field that <see cref="AnchorIdl.GetFixedField"/> located.
/// </param>
/// <param name="writer">The writer, inside the "derived" object.</param>
public delegate void AnchorDerivedWriter(ReadOnlySpan<byte> accountData, Utf8JsonWriter writer);

/// <summary>
/// Program-specific values computed from an account's fields (a pool's price, its fees as percentages), written by
/// <see cref="AnchorIdlDecoder"/> into a <c>"derived"</c> object after the IDL fields. One enricher serves one program;
/// <see cref="AnchorEnrichers.For"/> picks it by program id, so the generic decoder knows no program.
/// </summary>
/// <remarks>
/// An enricher must not throw for any data (the decoder has already checked the IDL fields, but their values may be
/// anything): a value it cannot compute is written as null. Exceptions other than
/// <see cref="AccountDecodeException"/> are turned into a decoder fault by the registry.
/// </remarks>
public interface IAnchorAccountEnricher
{
    /// <summary>
    /// Prepares for one account of the IDL, once, when the decoder is built (locating the fields it reads with
    /// <see cref="AnchorIdl.GetFixedField"/>), and returns the writer of its derived values, or null when the
    /// account has none.
    /// </summary>
    /// <exception cref="AnchorIdlException">The IDL lacks a field the enricher needs, or has it with another type.</exception>
    AnchorDerivedWriter? Bind(AnchorIdl idl, AnchorIdlAccount account);
}
