using System.Buffers;
using System.Text.Json;

namespace AccountGrains.Gateway.Native;

/// <summary>
/// The JSON of the native protocol, written straight to UTF-8. Decoded fields are already JSON and are spliced in
/// as they are. An account message:
/// <code>{"type":"account","pubkey":…,"source":"cache"|"database"|"realtime","account":{"pubkey","slot",
/// "write_version","account_type","owner","lamports","data_json":{…},"created_at", …}}</code>
/// </summary>
internal static partial class NativeMessages
{
    private static readonly JsonWriterOptions WriterOptions = new() { SkipValidation = true };

    public static byte[] Account(string pubkey, AccountState? state, SnapshotSource source, string? requestId = null)
    {
        var buffer = new ArrayBufferWriter<byte>(state is null ? 128 : 512 + state.Decoded.FieldsJson.Length);
        using (var json = new Utf8JsonWriter(buffer, WriterOptions))
        {
            json.WriteStartObject();
            json.WriteString("type"u8, "account"u8);
            WriteRequestId(json, requestId);
            json.WriteString("pubkey"u8, pubkey);
            json.WriteString("source"u8, SourceName(source));
            json.WritePropertyName("account"u8);
            if (state is null)
            {
                json.WriteNullValue();
            }
            else
            {
                WriteAccount(json, state);
            }

            json.WriteEndObject();
        }

        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>The <c>account</c> object, also the body of <c>GET /v1/accounts/{pubkey}</c>.</summary>
    public static void WriteAccount(Utf8JsonWriter json, AccountState state)
    {
        ArgumentNullException.ThrowIfNull(json);
        ArgumentNullException.ThrowIfNull(state);
        json.WriteStartObject();
        json.WriteString("pubkey"u8, state.Pubkey);
        json.WriteNumber("slot"u8, state.Slot);
        json.WriteNumber("write_version"u8, state.WriteVersion);
        json.WriteString("program"u8, state.Decoded.Program);
        json.WriteString("account_type"u8, state.Decoded.AccountType);
        json.WriteString("owner"u8, state.Owner);
        json.WriteNumber("lamports"u8, state.Lamports);
        json.WriteBoolean("executable"u8, state.Executable);
        json.WriteNumber("rent_epoch"u8, state.RentEpoch);
        json.WritePropertyName("data_json"u8);
        json.WriteRawValue(state.Decoded.FieldsJson, skipInputValidation: true);
        if (state.Decoded.Error is { } error)
        {
            // Undecoded data travels raw so nothing is lost.
            json.WriteString("decode_error"u8, error);
            json.WriteBase64String("data_base64"u8, state.Data);
        }

        if (state.TxnSignature is { } signature)
        {
            json.WriteString("txn_signature"u8, signature);
        }

        json.WriteBoolean("closed"u8, state.IsClosed);
        json.WriteString("created_at"u8, Timestamp(state.CreatedAt));
        json.WriteEndObject();
    }

    public static byte[] Unsubscribed(string pubkey, string? requestId) => Small(json =>
    {
        json.WriteString("type"u8, "unsubscribed"u8);
        WriteRequestId(json, requestId);
        json.WriteString("pubkey"u8, pubkey);
    });

    public static byte[] Pong(string? requestId) => Small(json =>
    {
        json.WriteString("type"u8, "pong"u8);
        WriteRequestId(json, requestId);
    });

    /// <summary><c>{"error":{"code":…,"message":…}}</c>, with the request's id when it had one.</summary>
    public static byte[] Error(string code, string message, string? requestId = null) => Small(json =>
    {
        WriteRequestId(json, requestId);
        json.WriteStartObject("error"u8);
        json.WriteString("code"u8, code);
        json.WriteString("message"u8, message);
        json.WriteEndObject();
    });

    private static byte[] Small(Action<Utf8JsonWriter> body) => Object(body, 256);

    /// <summary>A JSON object whose members <paramref name="body"/> writes.</summary>
    private static byte[] Object(Action<Utf8JsonWriter> body, int capacity) => Document(json =>
    {
        json.WriteStartObject();
        body(json);
        json.WriteEndObject();
    }, capacity);

    /// <summary>The one JSON value <paramref name="write"/> writes (a REST body), as UTF-8.</summary>
    public static byte[] Document(Action<Utf8JsonWriter> write, int capacity = 1024)
    {
        ArgumentNullException.ThrowIfNull(write);
        var buffer = new ArrayBufferWriter<byte>(capacity);
        using (var json = new Utf8JsonWriter(buffer, WriterOptions))
        {
            write(json);
        }

        return buffer.WrittenSpan.ToArray();
    }

    private static void WriteRequestId(Utf8JsonWriter json, string? requestId)
    {
        if (requestId is not null)
        {
            json.WriteString("id"u8, requestId);
        }
    }

    private static ReadOnlySpan<byte> SourceName(SnapshotSource source) => source switch
    {
        SnapshotSource.Cache => "cache"u8,
        SnapshotSource.Database => "database"u8,
        _ => "realtime"u8,
    };
}
