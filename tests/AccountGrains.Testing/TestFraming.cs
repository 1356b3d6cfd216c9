using System.Buffers;
using System.IO.Compression;
using System.IO.Pipelines;
using System.Text;

using Google.Protobuf;

namespace AccountGrains.Testing;

/// <summary>
/// The test server's own gRPC framing, written apart from the library's so that a bug in one cannot hide in the other.
/// </summary>
public static class TestFraming
{
    private const long MaxClientMessage = 1 << 20;

    public static byte[] Frame(IMessage message, bool gzip = false)
    {
        byte[] body = message.ToByteArray();
        if (gzip)
        {
            body = Gzip(body);
        }

        return Frame(body, compressedFlag: gzip ? (byte)1 : (byte)0);
    }

    public static byte[] Frame(byte[] body, byte compressedFlag = 0, uint? declaredLength = null)
    {
        uint length = declaredLength ?? (uint)body.Length;
        var frame = new byte[5 + body.Length];
        frame[0] = compressedFlag;
        frame[1] = (byte)(length >> 24);
        frame[2] = (byte)(length >> 16);
        frame[3] = (byte)(length >> 8);
        frame[4] = (byte)length;
        body.CopyTo(frame, 5);
        return frame;
    }

    public static byte[] Gzip(byte[] data)
    {
        using var output = new MemoryStream();
        using (var gzip = new GZipStream(output, CompressionLevel.Fastest))
        {
            gzip.Write(data);
        }

        return output.ToArray();
    }

    /// <summary>The next message from a request body, or null at its end.</summary>
    public static async Task<T?> ReadAsync<T>(PipeReader reader, MessageParser<T> parser, CancellationToken cancellationToken)
        where T : class, IMessage<T>
    {
        while (true)
        {
            ReadResult result = await reader.ReadAsync(cancellationToken);
            ReadOnlySequence<byte> buffer = result.Buffer;
            if (buffer.Length >= 5)
            {
                byte[] header = buffer.Slice(0, 5).ToArray();
                long length = ((long)header[1] << 24) | ((long)header[2] << 16) | ((long)header[3] << 8) | header[4];
                if (length > MaxClientMessage)
                {
                    // No test sends anything near this: a client with broken framing fails the call instead of hanging it.
                    throw new InvalidDataException($"the client declared a {length}-byte message, more than any test sends");
                }

                if (header[0] != 0)
                {
                    throw new InvalidDataException($"the client set compressed flag {header[0]}, but it never compresses");
                }

                if (buffer.Length >= 5 + length)
                {
                    T message = parser.ParseFrom(buffer.Slice(5, length).ToArray());
                    reader.AdvanceTo(buffer.GetPosition(5 + length));
                    return message;
                }
            }

            if (result.IsCompleted)
            {
                reader.AdvanceTo(buffer.End);
                return buffer.Length == 0 ? null : throw new InvalidDataException($"the request body ended inside a frame ({buffer.Length} bytes left)");
            }

            reader.AdvanceTo(buffer.Start, buffer.End);
        }
    }

    /// <summary>grpc-message encoding: printable ASCII except '%' as is, everything else as %XX of its UTF-8 bytes.</summary>
    public static string PercentEncode(string text)
    {
        var encoded = new StringBuilder();
        foreach (byte b in Encoding.UTF8.GetBytes(text))
        {
            if (b is >= 0x20 and <= 0x7E && b != (byte)'%')
            {
                encoded.Append((char)b);
            }
            else
            {
                encoded.Append('%').Append(b.ToString("X2", System.Globalization.CultureInfo.InvariantCulture));
            }
        }

        return encoded.ToString();
    }
}
