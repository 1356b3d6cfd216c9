using System.Buffers;
using System.Text.Encodings.Web;
using System.Text.Json;
using AccountGrains.Grains.Wallets;

namespace AccountGrains.Grains.Notifications;

/// <summary>
/// The body of a generic webhook notification: one JSON object, snake_case, documented field by field in
/// <c>README.md</c>. Receivers verify <c>X-AccountGrains-Signature</c> against exactly these bytes.
/// </summary>
internal static class WebhookPayload
{
    public const string Type = "wallet.activity";

    /// <summary>Non-ASCII text (the "…" of summaries) stays as is: the body is JSON over HTTP, never embedded in HTML.</summary>
    internal static readonly JsonWriterOptions WriterOptions = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public static byte[] Create(WalletActivityEntry activity, string transactionLink)
    {
        var buffer = new ArrayBufferWriter<byte>(1024);
        using (var json = new Utf8JsonWriter(buffer, WriterOptions))
        {
            json.WriteStartObject();
            json.WriteString("type", Type);
            json.WriteString("wallet", activity.Wallet);
            WalletActivityJson.WriteProperties(json, activity);
            json.WriteString("url", transactionLink);
            json.WriteEndObject();
        }

        return buffer.WrittenSpan.ToArray();
    }
}
