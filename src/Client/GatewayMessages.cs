using System.Text.Json;
using System.Text.Json.Serialization;

namespace AccountGrains.Client;

/// <summary>A message from the gateway's native <c>/ws</c> protocol.</summary>
public abstract record GatewayMessage(string? Id);

/// <summary>
/// An account's state: the reply to a subscribe (<see cref="Source"/> <c>cache</c> or <c>database</c>) or a realtime
/// update (<c>realtime</c>). <see cref="Account"/> is null when nothing is known about the account yet.
/// </summary>
public sealed record AccountMessage(string? Id, string Pubkey, string Source, AccountView? Account) : GatewayMessage(Id);

public sealed record UnsubscribedMessage(string? Id, string Pubkey) : GatewayMessage(Id);

public sealed record PongMessage(string? Id) : GatewayMessage(Id);

/// <summary>The gateway refused a request; the connection stays usable.</summary>
public sealed record ErrorMessage(string? Id, string Code, string Message) : GatewayMessage(Id);

/// <summary>The decoded state of an account as the gateway serves it (REST body and the <c>account</c> of a message).</summary>
public sealed record AccountView
{
    [JsonPropertyName("pubkey")] public required string Pubkey { get; init; }

    [JsonPropertyName("slot")] public ulong Slot { get; init; }

    [JsonPropertyName("write_version")] public ulong WriteVersion { get; init; }

    [JsonPropertyName("program")] public required string Program { get; init; }

    [JsonPropertyName("account_type")] public required string AccountType { get; init; }

    [JsonPropertyName("owner")] public required string Owner { get; init; }

    [JsonPropertyName("lamports")] public ulong Lamports { get; init; }

    [JsonPropertyName("executable")] public bool Executable { get; init; }

    [JsonPropertyName("rent_epoch")] public ulong RentEpoch { get; init; }

    /// <summary>The decoded fields; u64 amounts are strings.</summary>
    [JsonPropertyName("data_json")] public JsonElement DataJson { get; init; }

    [JsonPropertyName("decode_error")] public string? DecodeError { get; init; }

    [JsonPropertyName("data_base64")] public string? DataBase64 { get; init; }

    [JsonPropertyName("txn_signature")] public string? TxnSignature { get; init; }

    [JsonPropertyName("closed")] public bool Closed { get; init; }

    [JsonPropertyName("created_at")] public DateTimeOffset CreatedAt { get; init; }
}
