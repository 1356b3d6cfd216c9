using System.Text;
using System.Text.Json;

namespace AccountGrains.Runtime.Messaging.Wire;

/// <summary>Which exceptions thrown while reading a payload mean "bad data" rather than a bug or a dying process.</summary>
internal static class WireErrors
{
    public static bool IsDataError(Exception e) => e is JsonException
        or ArgumentException // constructors of the contracts validate (Interest, GrainId); enum and key checks
        or FormatException
        or OverflowException
        or InvalidOperationException // System.Text.Json reports some shape mismatches this way
        or NotSupportedException
        or DecoderFallbackException
        or InvalidCastException;
}
