using System.Buffers;
using System.Buffers.Binary;

using Google.Protobuf;

namespace AccountGrains.Grpc.Internal;

/// <summary>
/// The gRPC length-prefixed message: one byte compressed flag, a 4-byte big-endian length, then the message bytes.
/// </summary>
internal static class MessageFraming
{
    public const int HeaderSize = 5;

    /// <summary>Serializes a message behind its header into a pooled buffer; return it with <see cref="ArrayPool{T}.Shared"/>.</summary>
    public static byte[] RentFrame(IMessage message, int? maxSendMessageSize, out int frameLength)
    {
        int size = message.CalculateSize();
        if (size > maxSendMessageSize)
        {
            throw new GrpcException(new GrpcStatus(
                StatusCode.ResourceExhausted,
                $"Sending message exceeds the maximum configured message size ({size} > {maxSendMessageSize} bytes)"));
        }

        frameLength = HeaderSize + size;
        byte[] buffer = ArrayPool<byte>.Shared.Rent(frameLength);
        try
        {
            WriteHeader(buffer, compressed: false, (uint)size);
            message.WriteTo(buffer.AsSpan(HeaderSize, size));
            return buffer;
        }
        catch
        {
            ArrayPool<byte>.Shared.Return(buffer);
            throw;
        }
    }

    /// <summary>A frame in a new array of exactly its size (unary requests, sent as one body).</summary>
    public static byte[] CreateFrame(IMessage message, int? maxSendMessageSize)
    {
        byte[] rented = RentFrame(message, maxSendMessageSize, out int frameLength);
        try
        {
            return rented.AsSpan(0, frameLength).ToArray();
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(rented);
        }
    }

    public static void WriteHeader(Span<byte> destination, bool compressed, uint length)
    {
        destination[0] = compressed ? (byte)1 : (byte)0;
        BinaryPrimitives.WriteUInt32BigEndian(destination[1..HeaderSize], length);
    }

    /// <summary>Reads the flag and length of the frame at the start of a buffer holding at least <see cref="HeaderSize"/> bytes.</summary>
    public static (byte Flag, uint Length) ReadHeader(in ReadOnlySequence<byte> buffer)
    {
        Span<byte> header = stackalloc byte[HeaderSize];
        buffer.Slice(0, HeaderSize).CopyTo(header);
        return (header[0], BinaryPrimitives.ReadUInt32BigEndian(header[1..]));
    }
}
