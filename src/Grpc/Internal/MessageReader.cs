using System.Buffers;
using System.IO.Compression;
using System.IO.Pipelines;

using Google.Protobuf;

namespace AccountGrains.Grpc.Internal;

/// <summary>
/// Reads length-prefixed messages from a response body. Uncompressed messages are parsed straight from the pipe's
/// buffers (no copy); gzip ones are inflated into a pooled buffer first. Anything malformed throws a
/// <see cref="GrpcException"/> (INTERNAL, or RESOURCE_EXHAUSTED for a message over the limit).
/// </summary>
internal sealed class MessageReader(PipeReader pipe, int maxReceiveMessageSize, string? encoding)
{
    private const string SupportedEncodings = "identity, gzip";

    // One byte past the limit is enough to tell "too large" from "exactly at the limit".
    private long InflateCap => Math.Min(maxReceiveMessageSize + 1L, Array.MaxLength);

    /// <summary>The next message, or null when the body ended cleanly between messages.</summary>
    public async ValueTask<T?> ReadAsync<T>(MessageParser<T> parser, CancellationToken cancellationToken)
        where T : class, IMessage<T>
    {
        while (true)
        {
            ReadResult result = await pipe.ReadAsync(cancellationToken).ConfigureAwait(false);
            ReadOnlySequence<byte> buffer = result.Buffer;
            SequencePosition consumed = buffer.Start;
            SequencePosition examined = buffer.End;
            try
            {
                if (TryGetFrame(buffer, result.IsCompleted, out ReadOnlySequence<byte> payload, out bool compressed))
                {
                    T message = Parse(parser, payload, compressed);
                    consumed = payload.End;
                    examined = payload.End;
                    return message;
                }

                if (result.IsCompleted)
                {
                    return null;
                }

                if (result.IsCanceled)
                {
                    throw new OperationCanceledException("the read was cancelled");
                }
            }
            finally
            {
                pipe.AdvanceTo(consumed, examined);
            }
        }
    }

    public ValueTask CompleteAsync()
    {
        return pipe.CompleteAsync();
    }

    private bool TryGetFrame(in ReadOnlySequence<byte> buffer, bool isCompleted, out ReadOnlySequence<byte> payload, out bool compressed)
    {
        payload = default;
        compressed = false;
        if (buffer.Length < MessageFraming.HeaderSize)
        {
            if (isCompleted && buffer.Length > 0)
            {
                throw Internal($"the response ended inside a message's length prefix ({buffer.Length} of {MessageFraming.HeaderSize} bytes)");
            }

            return false;
        }

        (byte flag, uint length) = MessageFraming.ReadHeader(buffer);
        if (flag > 1)
        {
            throw Internal($"invalid compressed flag {flag} in a message's length prefix (must be 0 or 1); the response is not gRPC framing");
        }

        if (length > int.MaxValue)
        {
            throw Internal($"invalid message length {length} in a message's length prefix; the response is not gRPC framing");
        }

        if (length > maxReceiveMessageSize)
        {
            throw TooLarge(length);
        }

        long available = buffer.Length - MessageFraming.HeaderSize;
        if (available < length)
        {
            if (isCompleted)
            {
                throw Internal($"the response ended inside a message ({available} of {length} bytes)");
            }

            return false;
        }

        payload = buffer.Slice(MessageFraming.HeaderSize, length);
        compressed = flag == 1;
        return true;
    }

    private T Parse<T>(MessageParser<T> parser, in ReadOnlySequence<byte> payload, bool compressed)
        where T : class, IMessage<T>
    {
        if (!compressed)
        {
            return ParseOrThrow(parser, payload);
        }

        if (encoding is null or "identity")
        {
            throw Internal("a message has the compressed flag set but the response has no grpc-encoding");
        }

        if (encoding != "gzip")
        {
            throw new GrpcException(new GrpcStatus(
                StatusCode.Unimplemented,
                $"the server compressed a message with grpc-encoding '{encoding}', which this client does not support (supported: {SupportedEncodings})"));
        }

        byte[] inflated = Inflate(payload, out int length);
        try
        {
            return ParseOrThrow(parser, new ReadOnlySequence<byte>(inflated, 0, length));
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(inflated);
        }
    }

    private byte[] Inflate(in ReadOnlySequence<byte> payload, out int length)
    {
        int compressedLength = (int)payload.Length;
        byte[] compressedBytes = ArrayPool<byte>.Shared.Rent(compressedLength);
        byte[] output = ArrayPool<byte>.Shared.Rent((int)Math.Min(Math.Max(compressedLength * 4L, 4096), InflateCap));
        length = 0;
        try
        {
            payload.CopyTo(compressedBytes);
            using var gzip = new GZipStream(new MemoryStream(compressedBytes, 0, compressedLength), CompressionMode.Decompress);
            while (true)
            {
                if (length == output.Length)
                {
                    // Never inflate much past the limit: a small gzip bomb must not allocate gigabytes.
                    byte[] larger = ArrayPool<byte>.Shared.Rent((int)Math.Min(output.Length * 2L, InflateCap));
                    output.AsSpan(0, length).CopyTo(larger);
                    ArrayPool<byte>.Shared.Return(output);
                    output = larger;
                }

                int read = gzip.Read(output, length, output.Length - length);
                if (read == 0)
                {
                    return output;
                }

                length += read;
                if (length > maxReceiveMessageSize)
                {
                    throw new GrpcException(new GrpcStatus(
                        StatusCode.ResourceExhausted,
                        $"Decompressed message exceeds the maximum configured message size (more than {maxReceiveMessageSize} bytes)"));
                }
            }
        }
        catch (InvalidDataException ex)
        {
            ArrayPool<byte>.Shared.Return(output);
            throw new GrpcException(new GrpcStatus(StatusCode.Internal, $"a gzip-compressed message could not be decompressed: {ex.Message}"), null, ex);
        }
        catch
        {
            ArrayPool<byte>.Shared.Return(output);
            throw;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(compressedBytes);
        }
    }

    private static T ParseOrThrow<T>(MessageParser<T> parser, in ReadOnlySequence<byte> bytes)
        where T : class, IMessage<T>
    {
        try
        {
            return parser.ParseFrom(bytes);
        }
        catch (InvalidProtocolBufferException ex)
        {
            throw new GrpcException(
                new GrpcStatus(StatusCode.Internal, $"a response message could not be parsed as {typeof(T).Name}: {ex.Message}"), null, ex);
        }
    }

    private GrpcException TooLarge(uint length)
    {
        return new GrpcException(new GrpcStatus(
            StatusCode.ResourceExhausted,
            $"Received message exceeds the maximum configured message size ({length} > {maxReceiveMessageSize} bytes)"));
    }

    private static GrpcException Internal(string detail)
    {
        return new GrpcException(new GrpcStatus(StatusCode.Internal, detail));
    }
}
