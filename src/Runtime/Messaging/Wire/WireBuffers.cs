using System.Buffers;
using System.Text.Json;

namespace AccountGrains.Runtime.Messaging.Wire;

/// <summary>
/// Per-thread reusable buffers for encoding, so a payload costs one allocation (the returned array) instead of a
/// growing buffer and a JSON writer each time. Rent and return around one encode; nesting rents fresh ones.
/// </summary>
internal static class WireBuffers
{
    private const int KeepAtMost = 64 * 1024;

    [ThreadStatic]
    private static ArrayBufferWriter<byte>? s_buffer;

    [ThreadStatic]
    private static Utf8JsonWriter? s_json;

    /// <summary>Encodes with <paramref name="encode"/> into a reused buffer and returns a copy of the bytes.</summary>
    public static byte[] Encode<TState>(TState state, Action<IBufferWriter<byte>, TState> encode)
    {
        var buffer = s_buffer ?? new ArrayBufferWriter<byte>(1024);
        s_buffer = null;
        try
        {
            encode(buffer, state);
            return buffer.WrittenSpan.ToArray();
        }
        finally
        {
            if (buffer.Capacity <= KeepAtMost)
            {
                buffer.ResetWrittenCount();
                s_buffer = buffer;
            }
        }
    }

    /// <summary>A JSON writer over <paramref name="output"/>; hand it back with <see cref="Return"/> once flushed.</summary>
    public static Utf8JsonWriter RentJson(IBufferWriter<byte> output)
    {
        var json = s_json;
        s_json = null;
        if (json is null)
        {
            return new Utf8JsonWriter(output);
        }

        json.Reset(output);
        return json;
    }

    /// <summary>Flushes <paramref name="json"/> into its output and keeps it for the next encode on this thread.</summary>
    public static void Return(Utf8JsonWriter json)
    {
        json.Flush();
        json.Reset();
        s_json = json;
    }
}
