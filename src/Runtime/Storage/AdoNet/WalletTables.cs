using System.Data.Common;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using AccountGrains.Runtime.Messaging.Wire;

namespace AccountGrains.Runtime.Storage.AdoNet;

/// <summary>
/// The tables of <see cref="IWalletStore"/>: <c>wallets</c> (one row per wallet, its whole state as wire JSON, sinks'
/// secrets included), <c>wallet_activity</c> (one row per transaction of a wallet, unique per signature, paged newest
/// first by <c>(slot, id)</c>; <c>id</c> grows with every insert, so it orders entries of one slot by when they were
/// recorded) and <c>notification_dead_letters</c>. The JSON is the wire format (<see cref="WireJson"/>), so what a grain
/// returns and what it stores read back the same way.
/// </summary>
internal static class WalletTables
{
    public const string SelectWallet = "SELECT state FROM wallets WHERE address = @address";

    public const string UpsertWallet =
        "INSERT INTO wallets (address, state, tracked, updated_at_ms) VALUES (@address, @state, @tracked, @at) " +
        "ON CONFLICT (address) DO UPDATE SET state = excluded.state, tracked = excluded.tracked, updated_at_ms = excluded.updated_at_ms";

    public const string InsertActivity =
        "INSERT INTO wallet_activity (address, signature, slot, block_time, entry, recorded_at_ms) " +
        "VALUES (@address, @signature, @slot, @block_time, @entry, @at) ON CONFLICT (address, signature) DO NOTHING";

    private const string NewestFirst = " ORDER BY slot DESC, id DESC LIMIT @limit";

    public const string SelectActivity = "SELECT entry FROM wallet_activity WHERE address = @address" + NewestFirst;

    /// <summary>Entries older than <c>@before</c>'s; none when the wallet has no such signature (the comparison with no row is null).</summary>
    public const string SelectActivityBefore =
        "SELECT entry FROM wallet_activity WHERE address = @address AND (slot, id) < " +
        "(SELECT slot, id FROM wallet_activity WHERE address = @address AND signature = @before)" + NewestFirst;

    /// <summary>Deletes all but the newest <c>@keep</c> entries of <c>@address</c>, in one statement.</summary>
    public const string PruneActivity =
        "DELETE FROM wallet_activity WHERE address = @address AND id NOT IN " +
        "(SELECT id FROM wallet_activity WHERE address = @address ORDER BY slot DESC, id DESC LIMIT @keep)";

    public const string InsertDeadLetter =
        "INSERT INTO notification_dead_letters (sink, wallet, signature, attempts, last_error, payload, failed_at_ms) " +
        "VALUES (@sink, @wallet, @signature, @attempts, @last_error, @payload, @failed_at)";

    private const string DeadLetterColumns = "SELECT sink, wallet, signature, attempts, last_error, payload, failed_at_ms FROM notification_dead_letters";

    public const string SelectDeadLetters = DeadLetterColumns + " ORDER BY id DESC LIMIT @limit";

    public const string SelectDeadLettersOfWallet = DeadLetterColumns + " WHERE wallet = @wallet ORDER BY id DESC LIMIT @limit";

    private static readonly JsonTypeInfo<WalletState> StateJson = (JsonTypeInfo<WalletState>)WireJson.Options.GetTypeInfo(typeof(WalletState));

    private static readonly JsonTypeInfo<WalletActivityEntry> ActivityJson =
        (JsonTypeInfo<WalletActivityEntry>)WireJson.Options.GetTypeInfo(typeof(WalletActivityEntry));

    public static string ToJson(WalletState wallet) => JsonSerializer.Serialize(wallet, StateJson);

    public static string ToJson(WalletActivityEntry activity) => JsonSerializer.Serialize(activity, ActivityJson);

    public static WalletState ReadWallet(DbDataReader reader) =>
        JsonSerializer.Deserialize(reader.GetString(0), StateJson) ?? throw new InvalidDataException("a wallets row holds the JSON null instead of a state");

    public static WalletActivityEntry ReadActivity(DbDataReader reader) =>
        JsonSerializer.Deserialize(reader.GetString(0), ActivityJson)
        ?? throw new InvalidDataException("a wallet_activity row holds the JSON null instead of an entry");

    public static NotificationDeadLetter ReadDeadLetter(DbDataReader reader) =>
        new(
            Sink: reader.GetString(0),
            Wallet: reader.GetString(1),
            Signature: reader.GetString(2),
            Attempts: reader.GetInt32(3),
            LastError: reader.GetString(4),
            Payload: reader.GetString(5),
            FailedAt: DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(6)));
}
