using System.Text.Json;

namespace AccountGrains.Solana.Decoding;

/// <summary>
/// Accounts owned by the original SPL Token program. Its three account kinds have fixed, distinct
/// sizes, so the data length alone says which layout applies (the program itself decides the same way).
/// </summary>
public sealed class SplTokenDecoder : IAccountDecoder
{
    public Pubkey ProgramId => WellKnownPrograms.SplToken;

    public string ProgramName => "spl-token";

    public string Decode(ReadOnlySpan<byte> data, Utf8JsonWriter writer)
    {
        ArgumentNullException.ThrowIfNull(writer);
        if (data.Length is not (TokenLayouts.MintLength or TokenLayouts.AccountLength or TokenLayouts.MultisigLength))
        {
            throw new AccountDecodeException(
                $"spl-token account data of {data.Length} bytes is not a mint ({TokenLayouts.MintLength}), " +
                $"token account ({TokenLayouts.AccountLength}) or multisig ({TokenLayouts.MultisigLength})")
            {
                Reason = DecodeFailure.InvalidLength,
            };
        }

        var reader = new AccountDataReader(data);
        string accountType;
        writer.WriteStartObject();
        switch (data.Length)
        {
            case TokenLayouts.MintLength:
                TokenLayouts.WriteMintFields(ref reader, writer);
                accountType = TokenLayouts.MintType;
                break;
            case TokenLayouts.AccountLength:
                TokenLayouts.WriteAccountFields(ref reader, writer);
                accountType = TokenLayouts.AccountType;
                break;
            default:
                TokenLayouts.WriteMultisigFields(ref reader, writer);
                accountType = TokenLayouts.MultisigType;
                break;
        }

        writer.WriteEndObject();
        return accountType;
    }
}
