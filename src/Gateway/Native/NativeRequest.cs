using System.Text.Json;

namespace AccountGrains.Gateway.Native;

/// <summary>
/// A parsed native-protocol request, or the error that answers it. Accounts are named by <see cref="Pubkey"/>,
/// wallets by <see cref="Address"/>; <see cref="Tracker"/> and <see cref="Sinks"/> belong to track and untrack.
/// </summary>
internal readonly record struct NativeRequest(string? Action, string? Pubkey, string? Id)
{
    public string? Address { get; init; }

    public string? Tracker { get; init; }

    public IReadOnlyList<NotificationSink> Sinks { get; init; } = [];

    /// <summary>Parses one text message. On failure returns the error code and message to send back.</summary>
    public static bool TryParse(ReadOnlySpan<byte> utf8, out NativeRequest request, out (string Code, string Message) error)
    {
        request = default;
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(utf8.ToArray(), new JsonDocumentOptions { MaxDepth = 16 });
        }
        catch (JsonException e)
        {
            error = ("invalid_json", $"the message is not valid JSON: {e.Message}");
            return false;
        }

        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                error = ("invalid_request", "a request is a JSON object such as {\"action\":\"subscribe\",\"pubkey\":\"…\"}");
                return false;
            }

            string? id = null;
            if (root.TryGetProperty("id", out var idElement))
            {
                id = idElement.ValueKind switch
                {
                    JsonValueKind.String => idElement.GetString(),
                    JsonValueKind.Number => idElement.GetRawText(),
                    _ => null,
                };
            }

            if (!root.TryGetProperty("action", out var action))
            {
                request = new NativeRequest(null, null, id);
                error = ("missing_action", "the request has no \"action\"; use subscribe, unsubscribe, track, untrack, list, subscribe_wallet, unsubscribe_wallet or ping");
                return false;
            }

            if (action.ValueKind != JsonValueKind.String)
            {
                request = new NativeRequest(null, null, id);
                error = ("invalid_request", "\"action\" must be a string");
                return false;
            }

            string? pubkey = null;
            if (root.TryGetProperty("pubkey", out var pubkeyElement))
            {
                if (pubkeyElement.ValueKind != JsonValueKind.String)
                {
                    request = new NativeRequest(action.GetString(), null, id);
                    error = ("invalid_pubkey", "\"pubkey\" must be a base58 string");
                    return false;
                }

                pubkey = pubkeyElement.GetString();
            }

            request = new NativeRequest(action.GetString(), pubkey, id);
            return TryReadWalletFields(root, ref request, out error);
        }
    }

    /// <summary>Reads <c>address</c>, <c>tracker</c> and <c>sinks</c> when present.</summary>
    private static bool TryReadWalletFields(JsonElement root, ref NativeRequest request, out (string Code, string Message) error)
    {
        error = default;
        if (root.TryGetProperty("address", out var address))
        {
            if (address.ValueKind != JsonValueKind.String)
            {
                error = ("invalid_address", "\"address\" must be a base58 string");
                return false;
            }

            request = request with { Address = address.GetString() };
        }

        if (root.TryGetProperty("tracker", out var tracker) && tracker.ValueKind != JsonValueKind.Null)
        {
            if (tracker.ValueKind != JsonValueKind.String)
            {
                error = ("invalid_request", "\"tracker\" must be a string naming who tracks the wallet");
                return false;
            }

            request = request with { Tracker = tracker.GetString() };
        }

        if (root.TryGetProperty("sinks", out var sinks) && sinks.ValueKind != JsonValueKind.Null)
        {
            if (!TryReadSinks(sinks, out var read))
            {
                error = ("invalid_request", "\"sinks\" must be an array of {\"kind\":\"webhook\"|\"discord\",\"url\":\"https://…\",\"secret\":\"optional\"}");
                return false;
            }

            request = request with { Sinks = read };
        }

        return true;
    }

    /// <summary>The sinks of a track request; their kinds and URLs are checked by the wallet grain.</summary>
    public static bool TryReadSinks(JsonElement sinks, out IReadOnlyList<NotificationSink> read)
    {
        read = [];
        if (sinks.ValueKind != JsonValueKind.Array)
        {
            return false;
        }

        var list = new List<NotificationSink>();
        foreach (var sink in sinks.EnumerateArray())
        {
            if (sink.ValueKind != JsonValueKind.Object
                || !TryGetString(sink, "kind", out var kind) || kind is null
                || !TryGetString(sink, "url", out var url) || url is null
                || !TryGetString(sink, "secret", out var secret))
            {
                return false;
            }

            list.Add(new NotificationSink(kind, url, secret));
        }

        read = list;
        return true;
    }

    /// <summary>False when the property is there but not a string (or null); <paramref name="value"/> null when absent.</summary>
    private static bool TryGetString(JsonElement element, string name, out string? value)
    {
        value = null;
        if (!element.TryGetProperty(name, out var property) || property.ValueKind == JsonValueKind.Null)
        {
            return true;
        }

        if (property.ValueKind != JsonValueKind.String)
        {
            return false;
        }

        value = property.GetString();
        return true;
    }
}
