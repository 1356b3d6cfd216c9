using System.Diagnostics.CodeAnalysis;

namespace AccountGrains.Solana.Decoding.Anchor;

/// <summary>An account of the IDL: its name, the bytes its data starts with, and the account type the decoder reports.</summary>
/// <param name="Name">The IDL name, e.g. "Pool".</param>
/// <param name="AccountType">The name in snake_case, e.g. "pool" or "pod_aligned_fee_time_scheduler", as decoders report account types.</param>
/// <param name="Discriminator">The account discriminator (8 bytes unless the program chose its own).</param>
public sealed record AnchorIdlAccount(string Name, string AccountType, IReadOnlyList<byte> Discriminator);

/// <summary>A constant of the IDL, with its type in Rust-like notation and its value as the IDL writes it.</summary>
public sealed record AnchorIdlConstant(string Name, string Type, string Value);

/// <summary>Where a field sits in a type's serialized bytes.</summary>
/// <param name="Offset">Bytes from the start of the type's serialization (for an account: after the discriminator).</param>
/// <param name="Size">The field's size in bytes, or null when it varies (a vec, option, string, ...).</param>
/// <param name="Type">The field's type in Rust-like notation: "u128", "pubkey", "[u8; 32]", "Option&lt;u64&gt;", a type name.</param>
public readonly record struct AnchorFieldLayout(int Offset, int? Size, string Type);

/// <summary>
/// An Anchor IDL in the 0.30+ format (accounts carry explicit <c>discriminator</c> arrays, their layouts are in
/// <c>types</c>, <c>address</c> is the program id), checked and compiled into a decode plan when loaded, so every
/// problem with the IDL shows up here with a message naming the entry, and never later while decoding.
/// </summary>
public sealed class AnchorIdl
{
    private readonly Dictionary<string, IdlTypeDef> _types;
    private readonly Dictionary<string, AnchorIdlConstant> _constants;

    private AnchorIdl(
        Pubkey address,
        string name,
        string? version,
        string? source,
        IReadOnlyList<AnchorIdlAccount> accounts,
        Dictionary<string, IdlTypeDef> types,
        IReadOnlyList<AnchorIdlConstant> constants)
    {
        Address = address;
        Name = name;
        Version = version;
        Source = source;
        Accounts = accounts;
        _types = types;
        Constants = constants;
        _constants = new Dictionary<string, AnchorIdlConstant>(StringComparer.Ordinal);
        foreach (AnchorIdlConstant constant in constants)
        {
            _constants.TryAdd(constant.Name, constant);
        }

        Plan = AnchorPlanCompiler.Compile(this);
    }

    /// <summary>The program id (the IDL's <c>address</c>).</summary>
    public Pubkey Address { get; }

    /// <summary>The program name (<c>metadata.name</c>), e.g. "cp_amm".</summary>
    public string Name { get; }

    /// <summary><c>metadata.version</c>, when the IDL has one.</summary>
    public string? Version { get; }

    /// <summary>The file the IDL was loaded from; null when parsed from text.</summary>
    public string? Source { get; }

    public IReadOnlyList<AnchorIdlAccount> Accounts { get; }

    public IReadOnlyList<AnchorIdlConstant> Constants { get; }

    internal IReadOnlyDictionary<string, IdlTypeDef> Types => _types;

    internal AnchorDecodePlan Plan { get; }

    /// <summary>"Anchor IDL" or "Anchor IDL '/path'": how messages name this IDL.</summary>
    internal string Describe => Source is null ? "Anchor IDL" : $"Anchor IDL '{Source}'";

    /// <summary>Reads and checks an IDL file.</summary>
    /// <exception cref="AnchorIdlException">The file cannot be read, is not JSON, or is not a usable Anchor 0.30+ IDL; the message says why.</exception>
    public static AnchorIdl Load(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        string json;
        try
        {
            json = File.ReadAllText(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or NotSupportedException or System.Security.SecurityException)
        {
            throw new AnchorIdlException($"cannot read Anchor IDL '{path}': {ex.Message}", ex);
        }

        return AnchorIdlParser.Parse(json, path);
    }

    /// <summary>Checks an IDL given as JSON text.</summary>
    /// <exception cref="AnchorIdlException">The text is not JSON or not a usable Anchor 0.30+ IDL; the message says why.</exception>
    public static AnchorIdl Parse(string json)
    {
        ArgumentNullException.ThrowIfNull(json);
        return AnchorIdlParser.Parse(json, null);
    }

    internal static AnchorIdl Create(
        Pubkey address,
        string name,
        string? version,
        string? source,
        IReadOnlyList<AnchorIdlAccount> accounts,
        Dictionary<string, IdlTypeDef> types,
        IReadOnlyList<AnchorIdlConstant> constants)
    {
        return new AnchorIdl(address, name, version, source, accounts, types, constants);
    }

    public bool TryGetConstant(string name, [NotNullWhen(true)] out AnchorIdlConstant? constant)
    {
        ArgumentNullException.ThrowIfNull(name);
        return _constants.TryGetValue(name, out constant);
    }

    /// <summary>
    /// Finds a field by a dotted path through nested structs ("pool_fees.base_fee.base_fee_info.data") and returns
    /// where it sits, for code that reads a few fields straight from the bytes (an <see cref="IAnchorAccountEnricher"/>).
    /// Every field before it, at every level, must have a fixed size, or there is no fixed offset.
    /// </summary>
    /// <exception cref="AnchorIdlException">The type or a field on the path is missing, is not a struct with named fields, or follows a field of varying size.</exception>
    public AnchorFieldLayout GetFixedField(string typeName, string fieldPath)
    {
        ArgumentException.ThrowIfNullOrEmpty(typeName);
        ArgumentException.ThrowIfNullOrEmpty(fieldPath);
        string where = $"{typeName}.{fieldPath}";
        if (!_types.TryGetValue(typeName, out IdlTypeDef? def))
        {
            throw new AnchorIdlException($"{Describe}: {where}: there is no type '{typeName}' in \"types\"");
        }

        int offset = 0;
        IdlType? current = null;
        string[] names = fieldPath.Split('.');
        for (int i = 0; i < names.Length; i++)
        {
            IdlTypeDef structDef = ResolveStruct(def, current, where);
            IReadOnlyList<IdlField> fields = structDef.Fields.Items;
            int index = fields.Select(f => f.Name).ToList().IndexOf(names[i]);
            if (index < 0)
            {
                throw new AnchorIdlException($"{Describe}: {where}: type '{structDef.Name}' has no field '{names[i]}'");
            }

            int fieldOffset = 0;
            foreach (IdlField field in fields.Take(index))
            {
                int? size = FixedSize(field.Type, 0);
                if (size is null)
                {
                    throw new AnchorIdlException(
                        $"{Describe}: {where}: {structDef.Name}.{field.Name} ({field.Type.Text}) comes first and has no fixed size, so '{names[i]}' has no fixed offset");
                }

                fieldOffset += size.Value;
            }

            offset += fieldOffset;
            current = fields[index].Type;
            def = null;
        }

        return new AnchorFieldLayout(offset, FixedSize(current!, 0), current!.Text);
    }

    /// <summary>The serialized size of a type when it never varies; null for vecs, options, strings and the like.</summary>
    internal int? FixedSize(IdlType type, int depth)
    {
        if (depth > AnchorDecodePlan.MaxDepth)
        {
            return null;
        }

        switch (type)
        {
            case IdlPrimitiveType primitive:
                return primitive.Kind switch
                {
                    IdlPrimitive.Bool or IdlPrimitive.U8 or IdlPrimitive.I8 => 1,
                    IdlPrimitive.U16 or IdlPrimitive.I16 => 2,
                    IdlPrimitive.U32 or IdlPrimitive.I32 or IdlPrimitive.F32 => 4,
                    IdlPrimitive.U64 or IdlPrimitive.I64 or IdlPrimitive.F64 => 8,
                    IdlPrimitive.U128 or IdlPrimitive.I128 => 16,
                    IdlPrimitive.U256 or IdlPrimitive.I256 or IdlPrimitive.Pubkey => 32,
                    _ => null,
                };
            case IdlCOptionType coption:
                return FixedSize(coption.Inner, depth + 1) is { } inner ? 4 + inner : null;
            case IdlArrayType array when array.GenericLength is null:
                long total = (long)array.Length * (FixedSize(array.Element, depth + 1) ?? -1);
                return total is >= 0 and <= int.MaxValue ? (int)total : null;
            case IdlDefinedType defined when !defined.HasGenericArguments && _types.TryGetValue(defined.Name, out IdlTypeDef? def):
                return DefinedFixedSize(def, depth + 1);
            default:
                return null;
        }
    }

    private int? DefinedFixedSize(IdlTypeDef def, int depth)
    {
        if (def.HasGenerics)
        {
            return null;
        }

        switch (def.Kind)
        {
            case IdlTypeDefKind.Alias:
                return FixedSize(def.Alias!, depth);
            case IdlTypeDefKind.Struct:
                return FieldsFixedSize(def.Fields, depth);
            default:
                int? size = null;
                foreach (IdlVariant variant in def.Variants)
                {
                    int? variantSize = FieldsFixedSize(variant.Fields, depth);
                    if (variantSize is null || (size is not null && size != variantSize))
                    {
                        return null;
                    }

                    size = variantSize;
                }

                return size is null ? null : 1 + size;
        }
    }

    private int? FieldsFixedSize(IdlFields fields, int depth)
    {
        long total = 0;
        foreach (IdlField field in fields.Items)
        {
            if (FixedSize(field.Type, depth) is not { } size)
            {
                return null;
            }

            total += size;
        }

        return total <= int.MaxValue ? (int)total : null;
    }

    private IdlTypeDef ResolveStruct(IdlTypeDef? def, IdlType? type, string where)
    {
        for (int hops = 0; hops <= AnchorDecodePlan.MaxDepth; hops++)
        {
            if (def is null)
            {
                if (type is not IdlDefinedType defined || !_types.TryGetValue(defined.Name, out def))
                {
                    throw new AnchorIdlException($"{Describe}: {where}: a field of type {type?.Text} has no fields to look into");
                }
            }

            if (def.Kind == IdlTypeDefKind.Alias)
            {
                type = def.Alias;
                def = null;
                continue;
            }

            if (def.Kind != IdlTypeDefKind.Struct || def.Fields.Kind != IdlFieldsKind.Named)
            {
                throw new AnchorIdlException($"{Describe}: {where}: type '{def.Name}' is not a struct with named fields");
            }

            return def;
        }

        throw new AnchorIdlException($"{Describe}: {where}: type aliases nest too deep");
    }
}
