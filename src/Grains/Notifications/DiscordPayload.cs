using System.Buffers;
using System.Globalization;
using System.Text;
using System.Text.Json;

namespace AccountGrains.Grains.Notifications;

/// <summary>
/// The body of a Discord webhook execution: one embed with the summary as title (linking to the transaction) and a
/// few lines of detail. Discord rejects an embed over its limits with a 400, which would dead-letter the
/// notification, so texts are cut to fit: title 256, description 4096 characters (6000 in all, which these stay under).
/// </summary>
internal static class DiscordPayload
{
    public const int MaxTitleLength = 256;
    public const int MaxDescriptionLength = 4096;
    public const int SuccessColor = 0x2ECC71;
    public const int FailureColor = 0xE74C3C;
    public const string Footer = "AccountGrains";

    /// <summary>Token changes listed one a line; more are counted in one last line.</summary>
    internal const int MaxTokenLines = 10;

    public static byte[] Create(WalletActivityEntry activity, string transactionLink)
    {
        var buffer = new ArrayBufferWriter<byte>(1024);
        using (var json = new Utf8JsonWriter(buffer, WebhookPayload.WriterOptions))
        {
            json.WriteStartObject();
            json.WriteStartArray("embeds");
            json.WriteStartObject();
            json.WriteString("title", Fit(string.IsNullOrWhiteSpace(activity.Summary) ? "Wallet activity" : activity.Summary.Trim(), MaxTitleLength));
            json.WriteString("url", transactionLink);
            json.WriteString("description", Fit(Describe(activity), MaxDescriptionLength));
            json.WriteNumber("color", activity.Succeeded ? SuccessColor : FailureColor);
            if (activity.BlockTime is { } blockTime)
            {
                json.WriteString("timestamp", DateTimeOffset.FromUnixTimeSeconds(blockTime).UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture));
            }

            json.WriteStartObject("footer");
            json.WriteString("text", Footer);
            json.WriteEndObject();
            json.WriteEndObject();
            json.WriteEndArray();
            json.WriteEndObject();
        }

        return buffer.WrittenSpan.ToArray();
    }

    private static string Describe(WalletActivityEntry activity)
    {
        var text = new StringBuilder();
        text.Append("**Status:** ").Append(activity.Succeeded ? "succeeded" : "failed");
        if (!activity.Succeeded && !string.IsNullOrEmpty(activity.Error))
        {
            text.Append(" (").Append(activity.Error).Append(')');
        }

        text.Append("\n**Wallet:** `").Append(activity.Wallet).Append('`');
        text.Append("\n**Fee:** ").Append(Sol(activity.Fee, signed: false)).Append(activity.PaidFee ? " (paid by the wallet)" : string.Empty);
        text.Append("\n**SOL change:** ").Append(Sol(activity.SolChange, signed: true));
        if (activity.TokenChanges.Count > 0)
        {
            text.Append("\n**Token changes:**");
            foreach (var change in activity.TokenChanges.Take(MaxTokenLines))
            {
                var amount = change.Amount.StartsWith('-') ? change.Amount : "+" + change.Amount;
                text.Append("\n• ").Append(amount).Append(" `").Append(change.Mint).Append('`');
            }

            if (activity.TokenChanges.Count > MaxTokenLines)
            {
                text.Append("\n• … and ").Append(activity.TokenChanges.Count - MaxTokenLines).Append(" more");
            }
        }

        return text.ToString();
    }

    /// <summary>Lamports as SOL ("-50.000005 SOL"), exact.</summary>
    internal static string Sol(decimal lamports, bool signed)
    {
        var sol = (lamports / 1_000_000_000m).ToString("0.#########", CultureInfo.InvariantCulture);
        return (signed && lamports > 0 ? "+" : string.Empty) + sol + " SOL";
    }

    /// <summary>At most <paramref name="limit"/> UTF-16 characters, ending in "…" when cut, never half a surrogate pair.</summary>
    internal static string Fit(string text, int limit)
    {
        if (text.Length <= limit)
        {
            return text;
        }

        var cut = limit - 1;
        if (char.IsHighSurrogate(text[cut - 1]))
        {
            cut--;
        }

        return string.Concat(text.AsSpan(0, cut), "…");
    }
}
