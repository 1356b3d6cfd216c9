using System.Text.Json;

namespace AccountGrains.Solana.Decoding;

/// <summary>Decodes the data of accounts owned by one program into JSON fields.</summary>
public interface IAccountDecoder
{
    /// <summary>The owner program whose accounts this decoder understands.</summary>
    Pubkey ProgramId { get; }

    /// <summary>Short stable name that clients see, e.g. "system" or "spl-token".</summary>
    string ProgramName { get; }

    /// <summary>
    /// Writes exactly one JSON object with the decoded fields and returns the account type
    /// ("mint", "token_account", ...). Written straight as UTF-8 because the gateway splices
    /// these bytes into outgoing messages without re-serialising them.
    /// </summary>
    /// <exception cref="AccountDecodeException">The data is not a valid account of this program; the message says why.</exception>
    string Decode(ReadOnlySpan<byte> data, Utf8JsonWriter writer);
}
