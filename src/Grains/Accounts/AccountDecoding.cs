using System.Collections.Concurrent;
using AccountGrains.Solana;
using AccountGrains.Solana.Decoding;

namespace AccountGrains.Grains.Accounts;

/// <summary>
/// Decodes account data for grains: parses the owner once per distinct owner (a handful of programs own almost
/// every account), records mint decimals for decoders that need them, and turns the registry's result into the grain
/// contract's <see cref="DecodedAccount"/>.
/// </summary>
public sealed class AccountDecoding(AccountDecoderRegistry registry, MintDecimalsCache mints)
{
    private const int MaxCachedOwners = 100_000;
    private readonly ConcurrentDictionary<string, Pubkey> _owners = new(StringComparer.Ordinal);

    public AccountDecoderRegistry Registry => registry;

    public DecodedAccount Decode(string pubkey, string owner, ReadOnlySpan<byte> data) => Decode(pubkey, owner, data, out _);

    /// <summary>Decodes, and says which mints the decoder wanted decimals of and could not find.</summary>
    public DecodedAccount Decode(string pubkey, string owner, ReadOnlySpan<byte> data, out Pubkey[] missingMints)
    {
        missingMints = [];
        if (!_owners.TryGetValue(owner, out var ownerKey))
        {
            if (!Pubkey.TryParse(owner, out ownerKey, out var error))
            {
                return new DecodedAccount(owner, DecodedAccount.UnknownType, "{}"u8.ToArray(), $"owner is not a valid pubkey: {error}", DecodeFailure.InvalidData);
            }

            if (_owners.Count < MaxCachedOwners)
            {
                _owners.TryAdd(owner, ownerKey);
            }
        }

        if (MintDecimalsCache.IsMint(ownerKey, data) && Pubkey.TryParse(pubkey, out var mint, out _))
        {
            mints.TryRecord(mint, ownerKey, data);
        }

        MintDecimalsCache.BeginRecordingMisses();
        var decoded = registry.Decode(ownerKey, data);
        missingMints = MintDecimalsCache.EndRecordingMisses();
        return new DecodedAccount(decoded.Program, decoded.AccountType, decoded.FieldsJson, decoded.Error, decoded.FailureReason);
    }

    /// <summary>Records a mint's decimals from its state; false when the state is not an initialized mint.</summary>
    public bool RecordMint(AccountState state)
    {
        ArgumentNullException.ThrowIfNull(state);
        return Pubkey.TryParse(state.Pubkey, out var mint, out _)
            && Pubkey.TryParse(state.Owner, out var owner, out _)
            && mints.TryRecord(mint, owner, state.Data);
    }
}
