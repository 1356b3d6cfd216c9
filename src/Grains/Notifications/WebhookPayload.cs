using System.Buffers;
using System.Text.Encodings.Web;
using System.Text.Json;

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
            json.WriteString("signature", activity.Signature);
            json.WriteNumber("slot", activity.Slot);
            if (activity.BlockTime is { } blockTime)
            {
                json.WriteNumber("block_time", blockTime);
            }
            else
            {
                json.WriteNull("block_time");
            }

            json.WriteBoolean("succeeded", activity.Succeeded);
            json.WriteString("error", activity.Error);
            json.WriteNumber("fee", activity.Fee);
            json.WriteNumber("sol_change", activity.SolChange);
            json.WriteNumber("sol_transferred", activity.SolTransferred);
            json.WriteStartArray("token_changes");
            foreach (var change in activity.TokenChanges)
            {
                json.WriteStartObject();
                json.WriteString("mint", change.Mint);
                json.WriteString("program", change.Program);
                json.WriteString("raw_change", change.RawChange);
                json.WriteNumber("decimals", change.Decimals);
                json.WriteString("amount", change.Amount);
                json.WriteNumber("accounts_created", change.AccountsCreated);
                json.WriteNumber("accounts_closed", change.AccountsClosed);
                json.WriteEndObject();
            }

            json.WriteEndArray();
            json.WriteStartArray("counterparties");
            foreach (var counterparty in activity.Counterparties)
            {
                json.WriteStartObject();
                json.WriteString("address", counterparty.Address);
                json.WriteString("mint", counterparty.Mint);
                json.WriteString("raw_change", counterparty.RawChange);
                json.WriteEndObject();
            }

            json.WriteEndArray();
            json.WriteString("summary", activity.Summary);
            json.WriteString("url", transactionLink);
            json.WriteEndObject();
        }

        return buffer.WrittenSpan.ToArray();
    }
}
