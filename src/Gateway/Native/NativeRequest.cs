using System.Text.Json;

namespace AccountGrains.Gateway.Native;

/// <summary>A parsed native-protocol request, or the error that answers it.</summary>
internal readonly record struct NativeRequest(string? Action, string? Pubkey, string? Id)
{
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
                error = ("missing_action", "the request has no \"action\"; use subscribe, unsubscribe or ping");
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
            error = default;
            return true;
        }
    }
}
