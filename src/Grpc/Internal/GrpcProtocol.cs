using System.Globalization;
using System.Net;
using System.Text;

namespace AccountGrains.Grpc.Internal;

/// <summary>The small pieces of the gRPC-over-HTTP/2 spec: timeouts, grpc-message decoding, and status mappings.</summary>
internal static class GrpcProtocol
{
    public const string ContentType = "application/grpc";
    public const string StatusHeader = "grpc-status";
    public const string MessageHeader = "grpc-message";
    public const string EncodingHeader = "grpc-encoding";
    public const string AcceptEncodingHeader = "grpc-accept-encoding";
    public const string TimeoutHeader = "grpc-timeout";
    public const string AcceptEncodings = "identity,gzip";

    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    /// <summary>grpc-timeout: at most 8 digits and a unit; rounded up so the server never sees a shorter deadline than ours.</summary>
    public static string EncodeTimeout(TimeSpan timeout)
    {
        const long maxValue = 99_999_999;
        long ticks = Math.Max(timeout.Ticks, 1);
        (long TicksPerUnit, char Unit)[] units =
        [
            (TimeSpan.TicksPerMillisecond, 'm'),
            (TimeSpan.TicksPerSecond, 'S'),
            (TimeSpan.TicksPerMinute, 'M'),
            (TimeSpan.TicksPerHour, 'H'),
        ];
        foreach ((long ticksPerUnit, char unit) in units)
        {
            long value = (ticks + ticksPerUnit - 1) / ticksPerUnit;
            if (value <= maxValue)
            {
                return value.ToString(CultureInfo.InvariantCulture) + unit;
            }
        }

        return maxValue.ToString(CultureInfo.InvariantCulture) + "H";
    }

    /// <summary>
    /// Decodes grpc-message (percent-encoded UTF-8). Malformed input is returned as received, never thrown away.
    /// </summary>
    public static string PercentDecode(string value)
    {
        if (!value.Contains('%', StringComparison.Ordinal))
        {
            return value;
        }

        var bytes = new List<byte>(value.Length);
        for (int i = 0; i < value.Length; i++)
        {
            char c = value[i];
            if (c > 0x7F)
            {
                return value;
            }

            if (c == '%' && i + 2 < value.Length && IsHex(value[i + 1]) && IsHex(value[i + 2]))
            {
                bytes.Add(byte.Parse(value.AsSpan(i + 1, 2), NumberStyles.HexNumber, CultureInfo.InvariantCulture));
                i += 2;
            }
            else
            {
                bytes.Add((byte)c);
            }
        }

        try
        {
            return StrictUtf8.GetString(bytes.ToArray());
        }
        catch (ArgumentException)
        {
            return value;
        }
    }

    public static bool IsGrpcContentType(string? mediaType)
    {
        return mediaType is not null
            && mediaType.StartsWith(ContentType, StringComparison.OrdinalIgnoreCase)
            && (mediaType.Length == ContentType.Length || mediaType[ContentType.Length] is '+' or ';');
    }

    /// <summary>The spec's "HTTP to gRPC status code mapping", for responses that carry no grpc-status.</summary>
    public static StatusCode FromHttpStatus(HttpStatusCode status)
    {
        return (int)status switch
        {
            400 => StatusCode.Internal,
            401 => StatusCode.Unauthenticated,
            403 => StatusCode.PermissionDenied,
            404 => StatusCode.Unimplemented,
            429 or 502 or 503 or 504 => StatusCode.Unavailable,
            _ => StatusCode.Unknown,
        };
    }

    /// <summary>The spec's mapping of an HTTP/2 RST_STREAM error code to a status (PROTOCOL-HTTP2.md, "Errors").</summary>
    public static StatusCode FromHttp2ErrorCode(long errorCode)
    {
        return errorCode switch
        {
            0x7 => StatusCode.Unavailable, // REFUSED_STREAM: nothing was processed, safe to retry
            0x8 => StatusCode.Cancelled, // CANCEL
            0xB => StatusCode.ResourceExhausted, // ENHANCE_YOUR_CALM
            0xC => StatusCode.PermissionDenied, // INADEQUATE_SECURITY
            _ => StatusCode.Internal, // NO_ERROR, PROTOCOL_ERROR, INTERNAL_ERROR, FLOW_CONTROL_ERROR, ...
        };
    }

    public static string Http2ErrorName(long errorCode)
    {
        return errorCode switch
        {
            0x0 => "NO_ERROR",
            0x1 => "PROTOCOL_ERROR",
            0x2 => "INTERNAL_ERROR",
            0x3 => "FLOW_CONTROL_ERROR",
            0x4 => "SETTINGS_TIMEOUT",
            0x5 => "STREAM_CLOSED",
            0x6 => "FRAME_SIZE_ERROR",
            0x7 => "REFUSED_STREAM",
            0x8 => "CANCEL",
            0x9 => "COMPRESSION_ERROR",
            0xA => "CONNECT_ERROR",
            0xB => "ENHANCE_YOUR_CALM",
            0xC => "INADEQUATE_SECURITY",
            0xD => "HTTP_1_1_REQUIRED",
            _ => "0x" + errorCode.ToString("X", CultureInfo.InvariantCulture),
        };
    }

    /// <summary>Parses grpc-status and grpc-message; null when there is no grpc-status.</summary>
    public static GrpcStatus? ParseStatus(string? statusValue, string? messageValue)
    {
        if (statusValue is null)
        {
            return null;
        }

        string detail = messageValue is null ? string.Empty : PercentDecode(messageValue);
        if (!int.TryParse(statusValue, NumberStyles.None, CultureInfo.InvariantCulture, out int code))
        {
            return new GrpcStatus(StatusCode.Internal, $"the server sent an invalid grpc-status '{statusValue}' ({detail})");
        }

        // The spec: codes outside the known range are treated as UNKNOWN.
        return code <= (int)StatusCode.Unauthenticated ? new GrpcStatus((StatusCode)code, detail) : new GrpcStatus(StatusCode.Unknown, detail);
    }

    private static bool IsHex(char c)
    {
        return char.IsAsciiHexDigit(c);
    }
}
