using System.Text.Json;

namespace AccountGrains.Solana.Decoding.Anchor;

/// <summary>
/// Decodes the accounts of any Anchor program from its IDL: the first bytes (the discriminator) pick the account,
/// and its type is read with Borsh rules into an object of the IDL's field names. Zero-copy (bytemuck, repr C)
/// accounts are read the same way, field after field: their Pod types spell out every padding byte as a field,
/// which is what @coral-xyz/anchor's coder relies on too.
/// </summary>
/// <remarks>
/// <para>Values: bool; u8 to u32 and i8 to i32 as JSON numbers; u64, i64, u128, i128, u256, i256 as exact decimal
/// strings; f32 and f64 as numbers (NaN and infinities as the strings "NaN", "Infinity", "-Infinity"); bytes as
/// base64; pubkeys in base58; options as null or the value; vecs and arrays (also of u8) as arrays; structs as
/// objects (tuple structs as arrays); enum unit variants as "Name", variants with fields as {"Name": {...}} or
/// {"Name": [...]}.</para>
/// <para>Bytes after the account's struct are allowed (accounts are often allocated larger) and ignored. The
/// account type reported is the IDL account name in snake_case ("Pool" → "pool").</para>
/// </remarks>
public sealed class AnchorIdlDecoder : IAccountDecoder
{
    private static readonly JsonEncodedText DerivedName = JsonEncodedText.Encode("derived");

    private readonly AnchorDecodePlan _plan;
    private readonly AnchorDerivedWriter?[] _derived;

    /// <param name="idl">The program's IDL.</param>
    /// <param name="enricher">Adds derived values to the accounts it knows (see <see cref="AnchorEnrichers.For"/>); null for none.</param>
    /// <param name="programName">The name clients see; null for the IDL's <c>metadata.name</c>.</param>
    /// <exception cref="AnchorIdlException">The enricher cannot use this IDL.</exception>
    public AnchorIdlDecoder(AnchorIdl idl, IAnchorAccountEnricher? enricher = null, string? programName = null)
    {
        ArgumentNullException.ThrowIfNull(idl);
        Idl = idl;
        ProgramName = string.IsNullOrWhiteSpace(programName) ? idl.Name : programName;
        _plan = idl.Plan;
        _derived = new AnchorDerivedWriter?[_plan.Accounts.Count];
        if (enricher is null)
        {
            return;
        }

        foreach (AnchorAccountPlan account in _plan.Accounts)
        {
            AnchorDerivedWriter? writer = enricher.Bind(idl, account.Account);
            if (writer is not null && account.Body.Fields.Any(f => f.Name.Value == DerivedName.Value))
            {
                throw new AnchorIdlException(
                    $"{idl.Describe}: account '{account.Account.Name}' has its own field \"derived\", where {enricher.GetType().Name} would write derived values");
            }

            _derived[account.Index] = writer;
        }
    }

    public AnchorIdl Idl { get; }

    public Pubkey ProgramId => Idl.Address;

    public string ProgramName { get; }

    public string Decode(ReadOnlySpan<byte> data, Utf8JsonWriter writer)
    {
        ArgumentNullException.ThrowIfNull(writer);
        if (data.Length < _plan.MinDiscriminatorLength)
        {
            throw new AccountDecodeException(
                $"{data.Length} bytes of data are too short for a {_plan.MinDiscriminatorLength}-byte account discriminator")
            {
                Reason = DecodeFailure.Truncated,
            };
        }

        AnchorAccountPlan? account = _plan.Find(data);
        if (account is null)
        {
            throw UnknownDiscriminator(data);
        }

        var reader = new AccountDataReader(data);
        reader.ReadBytes(account.Discriminator.Length, "discriminator");
        writer.WriteStartObject();
        account.Body.WriteFields(ref reader, writer, 1);
        if (_derived[account.Index] is { } derived)
        {
            writer.WritePropertyName(DerivedName);
            writer.WriteStartObject();
            derived(data[account.Discriminator.Length..], writer);
            writer.WriteEndObject();
        }

        writer.WriteEndObject();
        return account.Account.AccountType;
    }

    private AccountDecodeException UnknownDiscriminator(ReadOnlySpan<byte> data)
    {
        if (_plan.IsPrefixOfLongerDiscriminator(data))
        {
            return new AccountDecodeException($"{data.Length} bytes of data end inside an account discriminator")
            {
                Reason = DecodeFailure.Truncated,
            };
        }

        string hex = Convert.ToHexStringLower(data[..Math.Min(data.Length, _plan.MaxDiscriminatorLength)]);
        return new AccountDecodeException(
            $"discriminator {hex} is none of the {_plan.Accounts.Count} accounts of {Idl.Name}")
        {
            Reason = DecodeFailure.UnknownDiscriminator,
        };
    }
}
