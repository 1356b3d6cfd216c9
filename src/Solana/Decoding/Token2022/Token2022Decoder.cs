using System.Text.Json;

namespace AccountGrains.Solana.Decoding.Token2022;

/// <summary>
/// Accounts owned by SPL Token-2022 (token extensions). The base mint, token account and multisig are SPL Token's
/// layouts, written with the same fields (<see cref="TokenLayouts"/>), followed by an "extensions" object keyed by
/// extension name and, when the data holds extensions this decoder does not decode, an "unknown_extensions" array of
/// their type ids and lengths.
/// </summary>
/// <remarks>
/// Which layout applies follows spl-token-2022 extension/mod.rs: 82 bytes is a mint, 165 a token account and 355
/// always a multisig (the program pads extended accounts that would be 355 bytes by two more). Anything longer than
/// 165 carries extensions: byte 165 is the AccountType (1 mint, 2 account), a mint's bytes 82 to 164 are zero, and
/// the TLV entries start at byte 166.
/// </remarks>
public sealed class Token2022Decoder : IAccountDecoder
{
    private const byte MintAccountType = 1;
    private const byte TokenAccountAccountType = 2;

    public Pubkey ProgramId => WellKnownPrograms.Token2022;

    public string ProgramName => "spl-token-2022";

    public string Decode(ReadOnlySpan<byte> data, Utf8JsonWriter writer)
    {
        ArgumentNullException.ThrowIfNull(writer);
        switch (data.Length)
        {
            case TokenLayouts.MultisigLength:
                return WriteMultisig(data, writer);
            case TokenLayouts.MintLength:
                return WriteMint(data, hasExtensions: false, writer);
            case TokenLayouts.AccountLength:
                return WriteAccount(data, hasExtensions: false, writer);
            case > TokenLayouts.AccountLength:
                break;
            default:
                throw new AccountDecodeException(
                    $"spl-token-2022 account data of {data.Length} bytes is not a mint ({TokenLayouts.MintLength}), " +
                    $"token account ({TokenLayouts.AccountLength}), multisig ({TokenLayouts.MultisigLength}) " +
                    $"or a mint or account with extensions (more than {TokenLayouts.AccountLength})")
                {
                    Reason = DecodeFailure.InvalidLength,
                };
        }

        byte accountType = data[Token2022TlvReader.AccountTypeOffset];
        switch (accountType)
        {
            case MintAccountType:
                int padding = data[TokenLayouts.MintLength..Token2022TlvReader.AccountTypeOffset].IndexOfAnyExcept((byte)0);
                if (padding >= 0)
                {
                    int offset = TokenLayouts.MintLength + padding;
                    throw new AccountDecodeException(
                        $"mint padding byte at offset {offset} is {data[offset]}, not 0: a mint with extensions is zero " +
                        $"from byte {TokenLayouts.MintLength} to its account type byte at {Token2022TlvReader.AccountTypeOffset}");
                }

                return WriteMint(data, hasExtensions: true, writer);
            case TokenAccountAccountType:
                return WriteAccount(data, hasExtensions: true, writer);
            default:
                throw new AccountDecodeException(
                    $"account type byte {accountType} at offset {Token2022TlvReader.AccountTypeOffset} is not " +
                    $"{MintAccountType} (mint) or {TokenAccountAccountType} (token account)");
        }
    }

    private static string WriteMint(ReadOnlySpan<byte> data, bool hasExtensions, Utf8JsonWriter writer)
    {
        var reader = new AccountDataReader(data[..TokenLayouts.MintLength]);
        writer.WriteStartObject();
        TokenLayouts.WriteMintFields(ref reader, writer);
        WriteExtensions(data, hasExtensions, writer);
        writer.WriteEndObject();
        return TokenLayouts.MintType;
    }

    private static string WriteAccount(ReadOnlySpan<byte> data, bool hasExtensions, Utf8JsonWriter writer)
    {
        var reader = new AccountDataReader(data[..TokenLayouts.AccountLength]);
        writer.WriteStartObject();
        TokenLayouts.WriteAccountFields(ref reader, writer);
        WriteExtensions(data, hasExtensions, writer);
        writer.WriteEndObject();
        return TokenLayouts.AccountType;
    }

    // A multisig is never extended, so it is written exactly as SPL Token writes it.
    private static string WriteMultisig(ReadOnlySpan<byte> data, Utf8JsonWriter writer)
    {
        var reader = new AccountDataReader(data);
        writer.WriteStartObject();
        TokenLayouts.WriteMultisigFields(ref reader, writer);
        writer.WriteEndObject();
        return TokenLayouts.MultisigType;
    }

    /// <summary>
    /// "extensions": one property per decoded extension in TLV order, then "unknown_extensions" when any entry is of a
    /// type not decoded here (walked a second time rather than collected, so decoding allocates nothing).
    /// </summary>
    private static void WriteExtensions(ReadOnlySpan<byte> data, bool hasExtensions, Utf8JsonWriter writer)
    {
        writer.WriteStartObject("extensions"u8);
        int unknown = 0;
        if (hasExtensions)
        {
            // Decoded type ids are all below 32; the program never writes one twice, and a second copy would make a
            // duplicate JSON key.
            uint seen = 0;
            var tlv = new Token2022TlvReader(data);
            while (tlv.TryNext(out Token2022TlvEntry entry))
            {
                if (!Token2022Extensions.IsDecoded(entry.Type))
                {
                    unknown++;
                    continue;
                }

                uint bit = 1u << entry.Type;
                if ((seen & bit) != 0)
                {
                    throw new AccountDecodeException(
                        $"{Token2022Extensions.Describe(entry.Type)} appears a second time, at offset {entry.Offset}");
                }

                seen |= bit;
                Token2022Extensions.Write(data, entry, writer);
            }
        }

        writer.WriteEndObject();
        if (unknown == 0)
        {
            return;
        }

        writer.WriteStartArray("unknown_extensions"u8);
        var again = new Token2022TlvReader(data);
        while (again.TryNext(out Token2022TlvEntry entry))
        {
            if (!Token2022Extensions.IsDecoded(entry.Type))
            {
                writer.WriteStartObject();
                writer.WriteNumber("type_id"u8, entry.Type);
                writer.WriteNumber("length"u8, entry.Length);
                writer.WriteEndObject();
            }
        }

        writer.WriteEndArray();
    }
}
