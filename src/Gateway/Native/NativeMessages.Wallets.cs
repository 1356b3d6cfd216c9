using System.Globalization;
using System.Text.Json;
using AccountGrains.Grains.Wallets;
using AccountGrains.Solana.Transactions;

namespace AccountGrains.Gateway.Native;

/// <summary>
/// Wallet messages of the native protocol, and the wallet and activity objects that REST sends as they are. A wallet:
/// <code>{"address","status":"active"|"disconnected"|"untracked","trackers":[…],"lamports":…|null,"sol":"1.5"|null,
/// "balance_slot","holdings":[{"token_account","mint","program","raw_amount":"…","decimals","amount"}],
/// "sinks":[{"kind","url","has_secret"}],"activity_count","last_activity_slot","tracked_since":"…"|null}</code>
/// </summary>
internal static partial class NativeMessages
{
    private const int LamportsPerSolDecimals = 9;

    /// <summary><c>{"type":"wallet","id":…,"wallet":{…}}</c>: the reply to track, untrack and subscribe_wallet.</summary>
    public static byte[] Wallet(WalletState state, WalletStatus status, string? requestId) => Object(json =>
    {
        json.WriteString("type"u8, "wallet"u8);
        WriteRequestId(json, requestId);
        json.WritePropertyName("wallet"u8);
        WriteWallet(json, state, status);
    }, 1024);

    /// <summary><c>{"type":"wallets","id":…,"wallets":[…]}</c>: the reply to list.</summary>
    public static byte[] Wallets(IReadOnlyList<WalletState> wallets, bool upstreamUp, string? requestId) => Object(json =>
    {
        json.WriteString("type"u8, "wallets"u8);
        WriteRequestId(json, requestId);
        WriteWalletList(json, wallets, upstreamUp);
    }, 256 + (wallets.Count * 512));

    /// <summary>The body of <c>GET /v1/wallets</c>: <c>{"wallets":[…]}</c>.</summary>
    public static byte[] WalletList(IReadOnlyList<WalletState> wallets, bool upstreamUp) =>
        Object(json => WriteWalletList(json, wallets, upstreamUp), 256 + (wallets.Count * 512));

    /// <summary>The body of the wallet endpoints: the wallet object alone.</summary>
    public static byte[] WalletDocument(WalletState state, WalletStatus status) => Document(json => WriteWallet(json, state, status));

    /// <summary>The body of <c>GET /v1/wallets/{address}/activity</c>: <c>{"activity":[…],"next_before":…}</c>.</summary>
    public static byte[] ActivityPage(IReadOnlyList<WalletActivityEntry> activity, string? nextBefore) => Object(json =>
    {
        WriteArray(json, "activity"u8, activity, WriteActivity);
        json.WriteString("next_before"u8, nextBefore);
    }, 256 + (activity.Count * 768));

    /// <summary>
    /// The body of <c>GET /v1/wallets/{address}/dead-letters</c>: <c>{"dead_letters":[{"sink","signature","attempts",
    /// "last_error","failed_at","payload"}]}</c>. The sink shows its kind and <c>scheme://host:port</c> only: a
    /// Discord webhook URL holds its token in the path.
    /// </summary>
    public static byte[] DeadLetters(IReadOnlyList<NotificationDeadLetter> letters) => Object(
        json => WriteArray(json, "dead_letters"u8, letters, static (json, letter) =>
        {
            json.WriteStartObject();
            json.WriteString("sink"u8, SafeSink(letter.Sink));
            json.WriteString("signature"u8, letter.Signature);
            json.WriteNumber("attempts"u8, letter.Attempts);
            json.WriteString("last_error"u8, letter.LastError);
            json.WriteString("failed_at"u8, Timestamp(letter.FailedAt));
            json.WriteString("payload"u8, letter.Payload);
            json.WriteEndObject();
        }),
        256 + (letters.Count * 1024));

    /// <summary><c>kind scheme://host:port</c> of a dead letter's <c>kind url</c>.</summary>
    private static string SafeSink(string sink)
    {
        var space = sink.IndexOf(' ', StringComparison.Ordinal);
        return space > 0 ? $"{sink[..space]} {SafeUrl(sink[(space + 1)..])}" : sink;
    }

    /// <summary>A sink URL as anyone may see it: <c>scheme://host:port</c>.</summary>
    private static string SafeUrl(string url) =>
        Uri.TryCreate(url, UriKind.Absolute, out var uri) ? Solana.SafeUri.Describe(uri) : "(invalid)";

    /// <summary>A push: <c>{"type":"wallet_activity","address","sequence","activity":{…}}</c>.</summary>
    public static byte[] WalletActivity(string address, long sequence, WalletActivityEntry activity) => Object(json =>
    {
        json.WriteString("type"u8, "wallet_activity"u8);
        json.WriteString("address"u8, address);
        json.WriteNumber("sequence"u8, sequence);
        json.WritePropertyName("activity"u8);
        WriteActivity(json, activity);
    }, 1024);

    /// <summary>A push: <c>{"type":"wallet_state","address","sequence","wallet":{…}}</c>.</summary>
    public static byte[] WalletStateChanged(string address, long sequence, WalletState state, WalletStatus status) => Object(json =>
    {
        json.WriteString("type"u8, "wallet_state"u8);
        json.WriteString("address"u8, address);
        json.WriteNumber("sequence"u8, sequence);
        json.WritePropertyName("wallet"u8);
        WriteWallet(json, state, status);
    }, 1024);

    public static byte[] WalletUnsubscribed(string address, string? requestId) => Small(json =>
    {
        json.WriteString("type"u8, "wallet_unsubscribed"u8);
        WriteRequestId(json, requestId);
        json.WriteString("address"u8, address);
    });

    /// <summary>The wallet object (see the type's summary).</summary>
    public static void WriteWallet(Utf8JsonWriter json, WalletState state, WalletStatus status)
    {
        ArgumentNullException.ThrowIfNull(json);
        ArgumentNullException.ThrowIfNull(state);
        json.WriteStartObject();
        json.WriteString("address"u8, state.Address);
        json.WriteString("status"u8, StatusName(status));
        WriteArray(json, "trackers"u8, state.Trackers, static (json, tracker) => json.WriteStringValue(tracker));
        WriteNullableNumber(json, "lamports"u8, state.Lamports);
        json.WriteString("sol"u8, state.Lamports is { } lamports ? TokenAmount.Format(lamports, LamportsPerSolDecimals) : null);
        json.WriteNumber("balance_slot"u8, state.BalanceSlot);
        WriteArray(json, "holdings"u8, state.Holdings, static (json, holding) =>
        {
            json.WriteStartObject();
            json.WriteString("token_account"u8, holding.TokenAccount);
            json.WriteString("mint"u8, holding.Mint);
            json.WriteString("program"u8, holding.Program);
            json.WriteString("raw_amount"u8, holding.RawAmount.ToString(CultureInfo.InvariantCulture));
            WriteNullableNumber(json, "decimals"u8, holding.Decimals);
            json.WriteString("amount"u8, holding.Amount);
            json.WriteEndObject();
        });
        WriteArray(json, "sinks"u8, state.Sinks, static (json, sink) =>
        {
            json.WriteStartObject();
            json.WriteString("kind"u8, sink.Kind);
            // scheme://host:port only: a Discord webhook URL holds its token, others often a key in the query.
            json.WriteString("url"u8, SafeUrl(sink.Url));
            json.WriteBoolean("has_secret"u8, sink.Secret is not null);
            json.WriteEndObject();
        });
        json.WriteNumber("activity_count"u8, state.ActivityCount);
        json.WriteNumber("last_activity_slot"u8, state.LastActivitySlot);
        json.WriteString("tracked_since"u8, state.TrackedSince is { } since ? Timestamp(since) : null);
        json.WriteEndObject();
    }

    /// <summary>One activity entry: what a transaction did to the wallet (fields: <see cref="WalletActivityJson"/>).</summary>
    public static void WriteActivity(Utf8JsonWriter json, WalletActivityEntry activity)
    {
        ArgumentNullException.ThrowIfNull(json);
        json.WriteStartObject();
        WalletActivityJson.WriteProperties(json, activity);
        json.WriteEndObject();
    }

    private static void WriteWalletList(Utf8JsonWriter json, IReadOnlyList<WalletState> wallets, bool upstreamUp) =>
        WriteArray(json, "wallets"u8, wallets, (json, wallet) => WriteWallet(json, wallet, wallet.StatusWith(upstreamUp)));

    private static void WriteArray<T>(Utf8JsonWriter json, ReadOnlySpan<byte> name, IEnumerable<T> items, Action<Utf8JsonWriter, T> writeItem)
    {
        json.WriteStartArray(name);
        foreach (var item in items)
        {
            writeItem(json, item);
        }

        json.WriteEndArray();
    }

    // Decimal takes every integer type exactly (an integer decimal is written without a point).
    private static void WriteNullableNumber(Utf8JsonWriter json, ReadOnlySpan<byte> name, decimal? value)
    {
        if (value is { } number)
        {
            json.WriteNumber(name, number);
        }
        else
        {
            json.WriteNull(name);
        }
    }

    private static string Timestamp(DateTimeOffset at) =>
        at.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);

    private static ReadOnlySpan<byte> StatusName(WalletStatus status) => status switch
    {
        WalletStatus.Active => "active"u8,
        WalletStatus.Disconnected => "disconnected"u8,
        _ => "untracked"u8,
    };
}
