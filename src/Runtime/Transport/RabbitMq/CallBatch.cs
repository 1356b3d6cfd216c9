using System.Buffers.Binary;
using AccountGrains.Runtime.Messaging.Wire;

namespace AccountGrains.Runtime.Transport.RabbitMq;

/// <summary>
/// Several one-way grain calls of one partition in one broker message: <c>0xB1 | count u16 | (length u32 | call)*</c>,
/// each call in <see cref="GrainCallCodec"/>'s format (which starts with version byte 1, so a reader tells them apart
/// by the first byte). Little-endian, like the rest of the wire format.
/// </summary>
internal static class CallBatch
{
    public const byte Marker = 0xB1;

    public static bool IsBatch(ReadOnlySpan<byte> body) => body.Length > 0 && body[0] == Marker;

    public static byte[] Encode(IReadOnlyList<byte[]> calls)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThan(calls.Count, ushort.MaxValue);
        var size = 3 + calls.Sum(c => 4 + c.Length);
        var body = new byte[size];
        body[0] = Marker;
        BinaryPrimitives.WriteUInt16LittleEndian(body.AsSpan(1), (ushort)calls.Count);
        var at = 3;
        foreach (var call in calls)
        {
            BinaryPrimitives.WriteInt32LittleEndian(body.AsSpan(at), call.Length);
            call.CopyTo(body, at + 4);
            at += 4 + call.Length;
        }

        return body;
    }

    /// <exception cref="GrainWireException">The batch is cut short or its lengths do not add up.</exception>
    public static IReadOnlyList<ReadOnlyMemory<byte>> Split(ReadOnlyMemory<byte> body)
    {
        var span = body.Span;
        if (span.Length < 3 || span[0] != Marker)
        {
            throw new GrainWireException("a call batch must start with 0xB1 and a 2-byte count");
        }

        var count = BinaryPrimitives.ReadUInt16LittleEndian(span[1..]);
        var calls = new List<ReadOnlyMemory<byte>>(count);
        var at = 3;
        for (var i = 0; i < count; i++)
        {
            if (span.Length - at < 4)
            {
                throw new GrainWireException($"call batch cut short: call {i} of {count} has no length");
            }

            var length = BinaryPrimitives.ReadInt32LittleEndian(span[at..]);
            if (length < 0 || length > span.Length - at - 4)
            {
                throw new GrainWireException($"call batch cut short: call {i} of {count} claims {length} bytes, {span.Length - at - 4} left");
            }

            calls.Add(body.Slice(at + 4, length));
            at += 4 + length;
        }

        if (at != span.Length)
        {
            throw new GrainWireException($"call batch has {span.Length - at} bytes after its {count} calls");
        }

        return calls;
    }
}
