using System.Security.Cryptography;
using System.Text;

namespace AccountGrains.Grains.Notifications;

/// <summary>
/// <c>X-AccountGrains-Signature: sha256=&lt;hex&gt;</c>: lowercase hex HMAC-SHA256 of the exact body bytes, keyed with
/// the sink's secret (UTF-8). Only the body is signed; the delivery id lets receivers drop replays they have seen.
/// </summary>
internal static class WebhookSignature
{
    public const string Header = "X-AccountGrains-Signature";
    public const string Prefix = "sha256=";

    public static string Compute(string secret, ReadOnlySpan<byte> body) =>
        Prefix + Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), body));
}
