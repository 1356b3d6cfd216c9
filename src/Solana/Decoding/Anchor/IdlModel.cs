using System.Globalization;

namespace AccountGrains.Solana.Decoding.Anchor;

/// <summary>The IDL's built-in types (Anchor 0.30+ names).</summary>
internal enum IdlPrimitive
{
    Bool,
    U8,
    I8,
    U16,
    I16,
    U32,
    I32,
    F32,
    U64,
    I64,
    F64,
    U128,
    I128,
    U256,
    I256,
    Bytes,
    String,
    Pubkey,
}

/// <summary>A type expression of the IDL: a primitive, a wrapper around another type, or a reference to a defined type.</summary>
internal abstract record IdlType
{
    /// <summary>The type in Rust-like notation, for messages and <see cref="AnchorFieldLayout.Type"/>.</summary>
    public abstract string Text { get; }

    public sealed override string ToString() => Text;
}

internal sealed record IdlPrimitiveType(IdlPrimitive Kind) : IdlType
{
    public override string Text => Kind switch
    {
        IdlPrimitive.Bytes => "bytes",
        IdlPrimitive.String => "string",
        IdlPrimitive.Pubkey => "pubkey",
        _ => Kind.ToString().ToLowerInvariant(),
    };
}

/// <summary>Borsh Option: a u8 tag (0 none, 1 some), then the value only when present.</summary>
internal sealed record IdlOptionType(IdlType Inner) : IdlType
{
    public override string Text => $"Option<{Inner.Text}>";
}

/// <summary>solana_program COption: a u32 tag (0 none, 1 some), then the value's bytes whether present or not.</summary>
internal sealed record IdlCOptionType(IdlType Inner) : IdlType
{
    public override string Text => $"COption<{Inner.Text}>";
}

/// <summary>Borsh Vec: a u32 element count, then the elements.</summary>
internal sealed record IdlVecType(IdlType Inner) : IdlType
{
    public override string Text => $"Vec<{Inner.Text}>";
}

/// <summary>A fixed-length array; <see cref="GenericLength"/> names a const generic instead of a number.</summary>
internal sealed record IdlArrayType(IdlType Element, int Length, string? GenericLength) : IdlType
{
    public override string Text => string.Create(
        CultureInfo.InvariantCulture, $"[{Element.Text}; {(GenericLength ?? Length.ToString(CultureInfo.InvariantCulture))}]");
}

/// <summary>A reference to an entry of <c>types</c>.</summary>
internal sealed record IdlDefinedType(string Name, bool HasGenericArguments) : IdlType
{
    public override string Text => HasGenericArguments ? $"{Name}<...>" : Name;
}

/// <summary>A generic type parameter of the enclosing type definition.</summary>
internal sealed record IdlGenericType(string Name) : IdlType
{
    public override string Text => Name;
}

internal enum IdlFieldsKind
{
    /// <summary>No fields: a unit struct or unit enum variant.</summary>
    Unit,

    /// <summary>Fields with names: <c>struct S { a: u8 }</c>.</summary>
    Named,

    /// <summary>Fields by position: <c>struct S(u8, u16)</c>.</summary>
    Tuple,
}

/// <summary>One field; a tuple field's name is its position ("0", "1", ...).</summary>
internal sealed record IdlField(string Name, IdlType Type);

internal sealed record IdlFields(IdlFieldsKind Kind, IReadOnlyList<IdlField> Items)
{
    public static IdlFields Unit { get; } = new(IdlFieldsKind.Unit, []);
}

internal sealed record IdlVariant(string Name, IdlFields Fields);

internal enum IdlTypeDefKind
{
    Struct,
    Enum,
    Alias,
}

/// <summary>
/// One entry of the IDL's <c>types</c>. <c>Where</c> names it in messages ("types[3] 'Pool'"); <c>Serialization</c> is
/// "borsh", "bytemuck", "bytemuckunsafe", or "custom" for a custom serializer.
/// </summary>
internal sealed record IdlTypeDef(
    string Name,
    string Where,
    IdlTypeDefKind Kind,
    IdlFields Fields,
    IReadOnlyList<IdlVariant> Variants,
    IdlType? Alias,
    string Serialization,
    bool HasGenerics);
