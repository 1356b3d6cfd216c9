using System.Text.Json;

namespace AccountGrains.Solana.Decoding;

/// <summary>
/// Accounts owned by the system program: plain wallets (no data) and durable nonce accounts.
/// </summary>
public sealed class SystemProgramDecoder : IAccountDecoder
{
    /// <summary>Size of a nonce account: u32 version, u32 state, authority, durable nonce, lamports per signature.</summary>
    public const int NonceAccountLength = 80;

    public Pubkey ProgramId => WellKnownPrograms.System;

    public string ProgramName => "system";

    public string Decode(ReadOnlySpan<byte> data, Utf8JsonWriter writer)
    {
        ArgumentNullException.ThrowIfNull(writer);
        if (data.IsEmpty)
        {
            writer.WriteStartObject();
            writer.WriteEndObject();
            return "system_account";
        }

        if (data.Length != NonceAccountLength)
        {
            throw new AccountDecodeException(
                $"system account data of {data.Length} bytes is neither empty nor an {NonceAccountLength}-byte nonce account")
            {
                Reason = DecodeFailure.InvalidLength,
            };
        }

        WriteNonce(data, writer);
        return "nonce";
    }

    // Layout of nonce::state::Versions: enum tag (Legacy, Current), then State: enum tag
    // (Uninitialized, Initialized) and, when initialized, Data { authority, durable_nonce, fee_calculator }.
    private static void WriteNonce(ReadOnlySpan<byte> data, Utf8JsonWriter writer)
    {
        var reader = new AccountDataReader(data);
        uint version = reader.ReadU32("nonce version");
        string versionName = version switch
        {
            0 => "legacy",
            1 => "current",
            _ => throw new AccountDecodeException($"nonce version {version} is not 0 (legacy) or 1 (current)"),
        };

        uint state = reader.ReadU32("nonce state");
        if (state > 1)
        {
            throw new AccountDecodeException($"nonce state {state} is not 0 (uninitialized) or 1 (initialized)");
        }

        writer.WriteStartObject();
        writer.WriteString("version"u8, versionName);
        writer.WriteString("state"u8, state == 1 ? "initialized" : "uninitialized");
        if (state == 1)
        {
            JsonFields.WritePubkey(writer, "authority"u8, reader.ReadPubkey("nonce authority"));
            // The durable nonce is a 32-byte hash; like every hash on Solana it is shown in base58.
            JsonFields.WritePubkey(writer, "durable_nonce"u8, reader.ReadPubkey("durable nonce"));
            JsonFields.WriteU64String(writer, "lamports_per_signature"u8, reader.ReadU64("lamports per signature"));
        }

        writer.WriteEndObject();
    }
}
