using System.Buffers.Binary;
using System.Globalization;
using System.Numerics;
using System.Text.Json;
using System.Text.Unicode;

namespace AccountGrains.Solana.Decoding.Anchor;

/// <summary>
/// One step of a compiled decode plan: reads one value of one IDL type and writes it as one JSON value. Nodes are
/// built once per IDL; every name they write is pre-encoded and every label for error messages precomputed, so
/// decoding does no lookups and allocates nothing beyond what the JSON writer needs.
/// </summary>
internal abstract class PlanNode
{
    /// <summary>The fewest bytes a value can take; lengths read from the data are checked against it before any loop.</summary>
    public abstract long MinSize { get; }

    /// <summary>Reads one value and writes it; <paramref name="depth"/> is its JSON nesting level, which composite nodes keep within <see cref="AnchorDecodePlan.MaxDepth"/>.</summary>
    public abstract void Write(ref AccountDataReader reader, Utf8JsonWriter writer, int depth);

    protected static void CheckDepth(ref AccountDataReader reader, int depth, string label)
    {
        if (depth > AnchorDecodePlan.MaxDepth)
        {
            throw new AccountDecodeException(
                $"values nest deeper than {AnchorDecodePlan.MaxDepth} levels at offset {reader.Offset} in {label}");
        }
    }

    /// <summary>
    /// Rejects a count of elements that cannot fit in the bytes left, before looping or allocating, so a garbage
    /// length of four billion costs nothing.
    /// </summary>
    protected static void CheckCount(ref AccountDataReader reader, long count, long elementMinSize, string what, string label)
    {
        long perElement = Math.Max(1, elementMinSize);
        if (count > reader.Remaining / perElement)
        {
            throw new AccountDecodeException(
                $"unexpected end of data at offset {reader.Offset} reading {label}: {what} of {count} elements needs at least "
                + $"{count * perElement} bytes, {reader.Remaining} left")
            {
                Reason = DecodeFailure.Truncated,
            };
        }
    }

    protected static uint ReadU32(ref AccountDataReader reader, string label)
    {
        return BinaryPrimitives.ReadUInt32LittleEndian(reader.ReadBytes(4, label));
    }
}

/// <summary>A built-in type: numbers, bool, pubkey, string, bytes.</summary>
internal sealed class PrimitiveNode : PlanNode
{
    private readonly IdlPrimitive _kind;
    private readonly string _label;

    public PrimitiveNode(IdlPrimitive kind, string label)
    {
        _kind = kind;
        _label = label;
        MinSize = kind switch
        {
            IdlPrimitive.Bool or IdlPrimitive.U8 or IdlPrimitive.I8 => 1,
            IdlPrimitive.U16 or IdlPrimitive.I16 => 2,
            IdlPrimitive.U32 or IdlPrimitive.I32 or IdlPrimitive.F32 or IdlPrimitive.Bytes or IdlPrimitive.String => 4,
            IdlPrimitive.U64 or IdlPrimitive.I64 or IdlPrimitive.F64 => 8,
            IdlPrimitive.U128 or IdlPrimitive.I128 => 16,
            _ => 32,
        };
    }

    public override long MinSize { get; }

    public override void Write(ref AccountDataReader reader, Utf8JsonWriter writer, int depth)
    {
        switch (_kind)
        {
            case IdlPrimitive.Bool:
                writer.WriteBooleanValue(ReadBool(ref reader));
                break;
            case IdlPrimitive.U8:
                writer.WriteNumberValue(reader.ReadU8(_label));
                break;
            case IdlPrimitive.I8:
                writer.WriteNumberValue((sbyte)reader.ReadU8(_label));
                break;
            case IdlPrimitive.U16:
                writer.WriteNumberValue(BinaryPrimitives.ReadUInt16LittleEndian(reader.ReadBytes(2, _label)));
                break;
            case IdlPrimitive.I16:
                writer.WriteNumberValue(BinaryPrimitives.ReadInt16LittleEndian(reader.ReadBytes(2, _label)));
                break;
            case IdlPrimitive.U32:
                writer.WriteNumberValue(BinaryPrimitives.ReadUInt32LittleEndian(reader.ReadBytes(4, _label)));
                break;
            case IdlPrimitive.I32:
                writer.WriteNumberValue(BinaryPrimitives.ReadInt32LittleEndian(reader.ReadBytes(4, _label)));
                break;
            case IdlPrimitive.F32:
                WriteFloat(writer, BinaryPrimitives.ReadSingleLittleEndian(reader.ReadBytes(4, _label)));
                break;
            case IdlPrimitive.F64:
                WriteFloat(writer, BinaryPrimitives.ReadDoubleLittleEndian(reader.ReadBytes(8, _label)));
                break;
            case IdlPrimitive.U64:
                WriteFormatted(writer, BinaryPrimitives.ReadUInt64LittleEndian(reader.ReadBytes(8, _label)));
                break;
            case IdlPrimitive.I64:
                WriteFormatted(writer, BinaryPrimitives.ReadInt64LittleEndian(reader.ReadBytes(8, _label)));
                break;
            case IdlPrimitive.U128:
                WriteFormatted(writer, BinaryPrimitives.ReadUInt128LittleEndian(reader.ReadBytes(16, _label)));
                break;
            case IdlPrimitive.I128:
                WriteFormatted(writer, BinaryPrimitives.ReadInt128LittleEndian(reader.ReadBytes(16, _label)));
                break;
            case IdlPrimitive.U256:
            case IdlPrimitive.I256:
                WriteBig(writer, reader.ReadBytes(32, _label), _kind == IdlPrimitive.U256);
                break;
            case IdlPrimitive.Pubkey:
                Span<byte> utf8 = stackalloc byte[Pubkey.MaxBase58Length];
                int length = Base58.EncodeCore(reader.ReadBytes(Pubkey.Length, _label), utf8);
                writer.WriteStringValue(utf8[..length]);
                break;
            case IdlPrimitive.Bytes:
                writer.WriteBase64StringValue(ReadSized(ref reader));
                break;
            default:
                int offset = reader.Offset;
                ReadOnlySpan<byte> text = ReadSized(ref reader);
                if (!Utf8.IsValid(text))
                {
                    throw new AccountDecodeException($"{_label} at offset {offset} is a string of {text.Length} bytes that are not valid UTF-8");
                }

                writer.WriteStringValue(text);
                break;
        }
    }

    // JSON has no NaN or infinities; they are written as the strings "NaN", "Infinity" and "-Infinity".
    // f32 is widened to f64, so the JSON number is exactly the stored value, as JavaScript reads it.
    private static void WriteFloat(Utf8JsonWriter writer, double value)
    {
        if (double.IsFinite(value))
        {
            writer.WriteNumberValue(value);
        }
        else
        {
            writer.WriteStringValue(double.IsNaN(value) ? "NaN"u8 : value > 0 ? "Infinity"u8 : "-Infinity"u8);
        }
    }

    private static void WriteFormatted<T>(Utf8JsonWriter writer, T value)
        where T : IUtf8SpanFormattable
    {
        Span<byte> utf8 = stackalloc byte[48];
        value.TryFormat(utf8, out int length, default, CultureInfo.InvariantCulture);
        writer.WriteStringValue(utf8[..length]);
    }

    private static void WriteBig(Utf8JsonWriter writer, ReadOnlySpan<byte> littleEndian, bool unsigned)
    {
        var value = new BigInteger(littleEndian, isUnsigned: unsigned, isBigEndian: false);
        Span<char> text = stackalloc char[80];
        value.TryFormat(text, out int length, default, CultureInfo.InvariantCulture);
        writer.WriteStringValue(text[..length]);
    }

    private bool ReadBool(ref AccountDataReader reader)
    {
        int offset = reader.Offset;
        byte value = reader.ReadU8(_label);
        return value switch
        {
            0 => false,
            1 => true,
            _ => throw new AccountDecodeException($"{_label} byte {value} at offset {offset} is not 0 (false) or 1 (true)"),
        };
    }

    private ReadOnlySpan<byte> ReadSized(ref AccountDataReader reader)
    {
        uint length = ReadU32(ref reader, _label);
        CheckCount(ref reader, length, 1, _kind == IdlPrimitive.Bytes ? "bytes" : "a string", _label);
        return reader.ReadBytes((int)length, _label);
    }
}

/// <summary>A struct: an object of its named fields, an array of its tuple fields, or {} for a unit struct.</summary>
internal sealed class StructNode : PlanNode
{
    private readonly string _label;
    private PlanField[] _fields = [];
    private bool _tuple;

    public StructNode(string label)
    {
        _label = label;
    }

    public override long MinSize => _minSize;

    private long _minSize;

    /// <summary>Set once the fields are compiled (after the node exists, so a field can refer back to its own type).</summary>
    public void SetFields(PlanField[] fields, bool tuple)
    {
        _fields = fields;
        _tuple = tuple;
        _minSize = PlanField.MinSize(fields);
    }

    public IReadOnlyList<PlanField> Fields => _fields;

    public override void Write(ref AccountDataReader reader, Utf8JsonWriter writer, int depth)
    {
        CheckDepth(ref reader, depth, _label);
        if (_tuple)
        {
            writer.WriteStartArray();
            foreach (PlanField field in _fields)
            {
                field.Node.Write(ref reader, writer, depth + 1);
            }

            writer.WriteEndArray();
        }
        else
        {
            writer.WriteStartObject();
            WriteFields(ref reader, writer, depth + 1);
            writer.WriteEndObject();
        }
    }

    /// <summary>Writes the named fields as properties of an object the caller has opened.</summary>
    public void WriteFields(ref AccountDataReader reader, Utf8JsonWriter writer, int depth)
    {
        foreach (PlanField field in _fields)
        {
            writer.WritePropertyName(field.Name);
            field.Node.Write(ref reader, writer, depth);
        }
    }
}

/// <summary>A field of a struct or enum variant, its name pre-encoded for the JSON writer.</summary>
internal sealed record PlanField(JsonEncodedText Name, PlanNode Node)
{
    public static long MinSize(PlanField[] fields)
    {
        long total = 0;
        foreach (PlanField field in fields)
        {
            total = Math.Min(total + field.Node.MinSize, int.MaxValue);
        }

        return total;
    }
}

/// <summary>
/// A Borsh enum: a u8 variant index, then the variant's fields. A unit variant is written as its name
/// ("Active"), a variant with named fields as {"Name": {...}}, one with tuple fields as {"Name": [...]}.
/// </summary>
internal sealed class EnumNode : PlanNode
{
    private readonly string _label;
    private readonly string _tagLabel;
    private PlanVariant[] _variants = [];
    private long _minSize;

    public EnumNode(string label)
    {
        _label = label;
        _tagLabel = label + " (enum variant)";
    }

    public override long MinSize => _minSize;

    public void SetVariants(PlanVariant[] variants)
    {
        _variants = variants;
        _minSize = 1 + (variants.Length == 0 ? 0 : variants.Min(v => PlanField.MinSize(v.Fields)));
    }

    public override void Write(ref AccountDataReader reader, Utf8JsonWriter writer, int depth)
    {
        CheckDepth(ref reader, depth, _label);
        int offset = reader.Offset;
        byte tag = reader.ReadU8(_tagLabel);
        if (tag >= _variants.Length)
        {
            throw new AccountDecodeException(
                $"{_label} variant index {tag} at offset {offset} is not one of its {_variants.Length} variants");
        }

        PlanVariant variant = _variants[tag];
        switch (variant.Kind)
        {
            case IdlFieldsKind.Unit:
                writer.WriteStringValue(variant.Name);
                break;
            case IdlFieldsKind.Named:
                writer.WriteStartObject();
                writer.WritePropertyName(variant.Name);
                writer.WriteStartObject();
                foreach (PlanField field in variant.Fields)
                {
                    writer.WritePropertyName(field.Name);
                    field.Node.Write(ref reader, writer, depth + 2);
                }

                writer.WriteEndObject();
                writer.WriteEndObject();
                break;
            default:
                writer.WriteStartObject();
                writer.WritePropertyName(variant.Name);
                writer.WriteStartArray();
                foreach (PlanField field in variant.Fields)
                {
                    field.Node.Write(ref reader, writer, depth + 2);
                }

                writer.WriteEndArray();
                writer.WriteEndObject();
                break;
        }
    }
}

internal sealed record PlanVariant(JsonEncodedText Name, IdlFieldsKind Kind, PlanField[] Fields);

/// <summary>Borsh Option: a u8 tag, 0 for none (written as null) or 1 for some (the value follows).</summary>
internal sealed class OptionNode(PlanNode inner, string label) : PlanNode
{
    private readonly string _tagLabel = label + " (option tag)";

    public override long MinSize => 1;

    public override void Write(ref AccountDataReader reader, Utf8JsonWriter writer, int depth)
    {
        int offset = reader.Offset;
        byte tag = reader.ReadU8(_tagLabel);
        switch (tag)
        {
            case 0:
                writer.WriteNullValue();
                break;
            case 1:
                inner.Write(ref reader, writer, depth);
                break;
            default:
                throw new AccountDecodeException($"{label} option tag {tag} at offset {offset} is not 0 (none) or 1 (some)");
        }
    }
}

/// <summary>
/// solana_program COption: a u32 tag (0 none, 1 some) and then the value's bytes, present either way, as in
/// SPL Token's packed layouts. The bytes behind a "none" tag are skipped.
/// </summary>
internal sealed class COptionNode(PlanNode inner, int valueSize, string label) : PlanNode
{
    private readonly string _tagLabel = label + " (coption tag)";

    public override long MinSize => 4L + valueSize;

    public override void Write(ref AccountDataReader reader, Utf8JsonWriter writer, int depth)
    {
        int offset = reader.Offset;
        uint tag = ReadU32(ref reader, _tagLabel);
        switch (tag)
        {
            case 0:
                reader.ReadBytes(valueSize, label);
                writer.WriteNullValue();
                break;
            case 1:
                inner.Write(ref reader, writer, depth);
                break;
            default:
                throw new AccountDecodeException($"{label} coption tag {tag} at offset {offset} is not 0 (none) or 1 (some)");
        }
    }
}

/// <summary>Borsh Vec: a u32 count, then the elements, written as a JSON array.</summary>
internal sealed class VecNode(PlanNode element, string label) : PlanNode
{
    private readonly string _lengthLabel = label + " (vec length)";

    public override long MinSize => 4;

    public override void Write(ref AccountDataReader reader, Utf8JsonWriter writer, int depth)
    {
        CheckDepth(ref reader, depth, label);
        uint count = ReadU32(ref reader, _lengthLabel);
        CheckCount(ref reader, count, element.MinSize, "a vec", label);
        writer.WriteStartArray();
        for (uint i = 0; i < count; i++)
        {
            element.Write(ref reader, writer, depth + 1);
        }

        writer.WriteEndArray();
    }
}

/// <summary>A fixed-length array, written as a JSON array (arrays of u8 too, as @coral-xyz/anchor returns them).</summary>
internal sealed class ArrayNode(PlanNode element, int length, string label) : PlanNode
{
    public override long MinSize => Math.Min((long)length * element.MinSize, int.MaxValue);

    public override void Write(ref AccountDataReader reader, Utf8JsonWriter writer, int depth)
    {
        CheckDepth(ref reader, depth, label);
        CheckCount(ref reader, length, element.MinSize, "an array", label);
        writer.WriteStartArray();
        for (int i = 0; i < length; i++)
        {
            element.Write(ref reader, writer, depth + 1);
        }

        writer.WriteEndArray();
    }
}

/// <summary>
/// A fixed-length array of u8 (padding, 256-bit values kept as bytes): one bounds check and a tight loop instead of
/// one node call per byte. Written as an array of numbers, like any array.
/// </summary>
internal sealed class ByteArrayNode(int length, string label) : PlanNode
{
    public override long MinSize => length;

    public override void Write(ref AccountDataReader reader, Utf8JsonWriter writer, int depth)
    {
        CheckDepth(ref reader, depth, label);
        ReadOnlySpan<byte> bytes = reader.ReadBytes(length, label);
        writer.WriteStartArray();
        foreach (byte value in bytes)
        {
            writer.WriteNumberValue(value);
        }

        writer.WriteEndArray();
    }
}
