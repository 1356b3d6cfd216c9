using System.Buffers;
using System.Buffers.Binary;
using System.Text;

namespace AccountGrains.Runtime.Messaging.Wire;

/// <summary>
/// The binary framing shared by the codecs: a version byte, then fields. Integers are unsigned LEB128 varints or
/// fixed little-endian <c>u64</c>; strings are a varint byte count and strict UTF-8. Values of the grain contracts
/// follow as JSON (<see cref="WireJson"/>).
/// </summary>
internal static class WireFormat
{
    /// <summary>The one format version this build reads and writes.</summary>
    public const byte Version = 1;

    /// <summary>Longest string field accepted (grain types, keys, method names, exception texts).</summary>
    public const int MaxStringBytes = 64 * 1024;

    public static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    public static void WriteByte(IBufferWriter<byte> writer, byte value)
    {
        writer.GetSpan(1)[0] = value;
        writer.Advance(1);
    }

    public static void WriteVarUInt(IBufferWriter<byte> writer, uint value)
    {
        var span = writer.GetSpan(5);
        var i = 0;
        while (value >= 0x80)
        {
            span[i++] = (byte)(value | 0x80);
            value >>= 7;
        }

        span[i++] = (byte)value;
        writer.Advance(i);
    }

    public static void WriteUInt64(IBufferWriter<byte> writer, ulong value)
    {
        BinaryPrimitives.WriteUInt64LittleEndian(writer.GetSpan(8), value);
        writer.Advance(8);
    }

    public static void WriteString(IBufferWriter<byte> writer, string value)
    {
        var count = StrictUtf8.GetByteCount(value);
        if (count > MaxStringBytes)
        {
            throw new GrainWireException($"a string of {count} bytes is longer than the wire allows ({MaxStringBytes})");
        }

        WriteVarUInt(writer, (uint)count);
        var written = StrictUtf8.GetBytes(value, writer.GetSpan(count));
        writer.Advance(written);
    }
}

/// <summary>Reads <see cref="WireFormat"/> fields; every shortfall or malformation is a <see cref="GrainWireException"/>.</summary>
internal ref struct WireReader
{
    private readonly ReadOnlySpan<byte> _payload;
    private readonly string _what;
    private int _position;

    public WireReader(ReadOnlySpan<byte> payload, string what)
    {
        _payload = payload;
        _what = what;
        _position = 0;
    }

    public readonly ReadOnlySpan<byte> Rest => _payload[_position..];

    /// <summary>Reads the version byte and refuses any version but <see cref="WireFormat.Version"/>.</summary>
    public void ReadVersion()
    {
        if (_payload.IsEmpty)
        {
            throw new GrainWireException($"{_what} is empty");
        }

        var version = ReadByte("the version");
        if (version != WireFormat.Version)
        {
            throw new GrainWireException(
                $"{_what} has wire format version {version}; this build reads version {WireFormat.Version}");
        }
    }

    public byte ReadByte(string field)
    {
        Need(1, field);
        return _payload[_position++];
    }

    public ulong ReadUInt64(string field)
    {
        Need(8, field);
        var value = BinaryPrimitives.ReadUInt64LittleEndian(_payload[_position..]);
        _position += 8;
        return value;
    }

    public uint ReadVarUInt(string field)
    {
        uint value = 0;
        for (var shift = 0; shift < 35; shift += 7)
        {
            var b = ReadByte(field);
            if (shift == 28 && b > 0x0F)
            {
                break;
            }

            value |= (uint)(b & 0x7F) << shift;
            if (b < 0x80)
            {
                return value;
            }
        }

        throw new GrainWireException($"{_what} is malformed: {field} is not a valid varint");
    }

    public string ReadString(string field)
    {
        var count = ReadVarUInt(field);
        if (count > WireFormat.MaxStringBytes)
        {
            throw new GrainWireException($"{_what} is malformed: {field} claims {count} bytes, more than the wire allows ({WireFormat.MaxStringBytes})");
        }

        Need((int)count, field);
        string value;
        try
        {
            value = WireFormat.StrictUtf8.GetString(_payload.Slice(_position, (int)count));
        }
        catch (DecoderFallbackException e)
        {
            throw new GrainWireException($"{_what} is malformed: {field} is not valid UTF-8", e);
        }

        _position += (int)count;
        return value;
    }

    private readonly void Need(int count, string field)
    {
        if (_payload.Length - _position < count)
        {
            throw new GrainWireException(
                $"{_what} is truncated: {field} needs {count} bytes at offset {_position}, {_payload.Length - _position} left");
        }
    }
}
