using System.Buffers.Binary;
using System.Collections.Frozen;
using System.Text.Json;

namespace AccountGrains.Solana.Decoding.Anchor;

/// <summary>An IDL problem found while compiling; the parser adds which IDL it is.</summary>
internal sealed class AnchorPlanException(string message) : Exception(message);

/// <summary>The compiled plan of one account: its discriminator and the node that writes its fields.</summary>
internal sealed record AnchorAccountPlan(int Index, AnchorIdlAccount Account, byte[] Discriminator, StructNode Body);

/// <summary>
/// The accounts of an IDL compiled for decoding: finding the account by its discriminator is one dictionary lookup
/// (when every discriminator is 8 bytes, as Anchor makes them), and decoding walks prebuilt nodes.
/// </summary>
internal sealed class AnchorDecodePlan
{
    /// <summary>The deepest JSON nesting a decoded value may reach; deeper data (recursive types) is rejected.</summary>
    public const int MaxDepth = 64;

    private readonly FrozenDictionary<ulong, AnchorAccountPlan>? _byEightBytes;

    public AnchorDecodePlan(AnchorAccountPlan[] accounts)
    {
        Accounts = accounts;
        MinDiscriminatorLength = accounts.Min(a => a.Discriminator.Length);
        MaxDiscriminatorLength = accounts.Max(a => a.Discriminator.Length);
        if (MinDiscriminatorLength == 8 && MaxDiscriminatorLength == 8)
        {
            _byEightBytes = accounts.ToFrozenDictionary(a => BinaryPrimitives.ReadUInt64LittleEndian(a.Discriminator));
        }
    }

    public IReadOnlyList<AnchorAccountPlan> Accounts { get; }

    public int MinDiscriminatorLength { get; }

    public int MaxDiscriminatorLength { get; }

    /// <summary>The account whose discriminator the data starts with; the caller has checked the data holds <see cref="MinDiscriminatorLength"/> bytes.</summary>
    public AnchorAccountPlan? Find(ReadOnlySpan<byte> data)
    {
        if (_byEightBytes is not null)
        {
            return _byEightBytes.GetValueOrDefault(BinaryPrimitives.ReadUInt64LittleEndian(data));
        }

        foreach (AnchorAccountPlan account in Accounts)
        {
            if (data.StartsWith(account.Discriminator))
            {
                return account;
            }
        }

        return null;
    }

    /// <summary>True when the data is a cut-off start of some discriminator longer than the data.</summary>
    public bool IsPrefixOfLongerDiscriminator(ReadOnlySpan<byte> data)
    {
        foreach (AnchorAccountPlan account in Accounts)
        {
            if (account.Discriminator.Length > data.Length && account.Discriminator.AsSpan().StartsWith(data))
            {
                return true;
            }
        }

        return false;
    }
}

/// <summary>
/// A reference to a type alias that is still being compiled: an alias that refers back to itself, e.g.
/// <c>type Maybe = Option&lt;Maybe&gt;</c>. Such a cycle may pass through no struct, enum or vec, so this node counts
/// the depth itself; every other cycle passes through a node that does.
/// </summary>
internal sealed class LinkNode(string label) : PlanNode
{
    public PlanNode? Target { get; set; }

    public override long MinSize => 0;

    public override void Write(ref AccountDataReader reader, Utf8JsonWriter writer, int depth)
    {
        CheckDepth(ref reader, depth, label);
        Target!.Write(ref reader, writer, depth + 1);
    }
}

/// <summary>Turns the type model into plan nodes, checking what only matters for types an account reaches.</summary>
internal sealed class AnchorPlanCompiler
{
    private readonly AnchorIdl _idl;
    private readonly Dictionary<string, PlanNode> _compiled = new(StringComparer.Ordinal);
    private readonly Dictionary<string, LinkNode> _pendingAliases = new(StringComparer.Ordinal);

    private AnchorPlanCompiler(AnchorIdl idl)
    {
        _idl = idl;
    }

    public static AnchorDecodePlan Compile(AnchorIdl idl)
    {
        CheckFiniteSizes(idl.Types);
        var compiler = new AnchorPlanCompiler(idl);
        var accounts = new AnchorAccountPlan[idl.Accounts.Count];
        for (int i = 0; i < accounts.Length; i++)
        {
            AnchorIdlAccount account = idl.Accounts[i];
            IdlTypeDef def = idl.Types[account.Name];
            if (def.Kind != IdlTypeDefKind.Struct || def.Fields.Kind == IdlFieldsKind.Tuple)
            {
                throw new AnchorPlanException(
                    $"account '{account.Name}': its type ({def.Where}) is {Describe(def)}; an account is decoded as a struct with named fields");
            }

            var body = (StructNode)compiler.CompileDefined(account.Name, $"account '{account.Name}'");
            accounts[i] = new AnchorAccountPlan(i, account, [.. account.Discriminator], body);
        }

        return new AnchorDecodePlan(accounts);
    }

    private static string Describe(IdlTypeDef def)
    {
        return def.Kind switch
        {
            IdlTypeDefKind.Enum => "an enum",
            IdlTypeDefKind.Alias => "a type alias",
            _ => "a tuple struct",
        };
    }

    private PlanNode CompileDefined(string name, string where)
    {
        if (_compiled.TryGetValue(name, out PlanNode? done))
        {
            return done;
        }

        if (_pendingAliases.TryGetValue(name, out LinkNode? link))
        {
            return link;
        }

        IdlTypeDef def = _idl.Types[name];
        if (def.HasGenerics)
        {
            throw new AnchorPlanException($"{def.Where} (used by {where}) has generic parameters, which this decoder does not support");
        }

        if (def.Serialization == "custom")
        {
            throw new AnchorPlanException($"{def.Where} (used by {where}) has a custom serialization, which an IDL cannot describe");
        }

        switch (def.Kind)
        {
            case IdlTypeDefKind.Struct:
                var structNode = new StructNode(name);
                _compiled[name] = structNode;
                structNode.SetFields(CompileFields(def.Fields, name, def.Where), def.Fields.Kind == IdlFieldsKind.Tuple);
                return structNode;
            case IdlTypeDefKind.Enum:
                var enumNode = new EnumNode(name);
                _compiled[name] = enumNode;
                enumNode.SetVariants(def.Variants
                    .Select(v => new PlanVariant(JsonEncodedText.Encode(v.Name), v.Fields.Kind, CompileFields(v.Fields, $"{name}::{v.Name}", $"{def.Where} variant '{v.Name}'")))
                    .ToArray());
                return enumNode;
            default:
                var pending = new LinkNode(name);
                _pendingAliases[name] = pending;
                PlanNode target = Compile(def.Alias!, name, $"{def.Where} alias");
                _pendingAliases.Remove(name);
                pending.Target = target;
                _compiled[name] = target;
                return target;
        }
    }

    private PlanField[] CompileFields(IdlFields fields, string owner, string where)
    {
        var compiled = new PlanField[fields.Items.Count];
        for (int i = 0; i < compiled.Length; i++)
        {
            IdlField field = fields.Items[i];
            compiled[i] = new PlanField(
                JsonEncodedText.Encode(field.Name),
                Compile(field.Type, $"{owner}.{field.Name}", $"{where} field '{field.Name}'"));
        }

        return compiled;
    }

    private PlanNode Compile(IdlType type, string label, string where)
    {
        switch (type)
        {
            case IdlPrimitiveType primitive:
                return new PrimitiveNode(primitive.Kind, label);
            case IdlOptionType option:
                return new OptionNode(Compile(option.Inner, label, where), label);
            case IdlCOptionType coption:
                int size = _idl.FixedSize(coption.Inner, 0)
                    ?? throw new AnchorPlanException($"{where} is {coption.Text}, whose value has no fixed size; a COption always holds the value's bytes");
                return new COptionNode(Compile(coption.Inner, label, where), size, label);
            case IdlVecType vec:
                return new VecNode(Compile(vec.Inner, label + "[]", where), label);
            case IdlArrayType { GenericLength: null, Element: IdlPrimitiveType { Kind: IdlPrimitive.U8 } } bytes:
                return new ByteArrayNode(bytes.Length, label);
            case IdlArrayType array when array.GenericLength is null:
                return new ArrayNode(Compile(array.Element, label + "[]", where), array.Length, label);
            case IdlArrayType array:
                throw new AnchorPlanException($"{where} has an array whose length is the generic '{array.GenericLength}', which this decoder does not support");
            case IdlDefinedType defined when defined.HasGenericArguments:
                throw new AnchorPlanException($"{where} uses '{defined.Name}' with generic arguments, which this decoder does not support");
            case IdlDefinedType defined:
                return CompileDefined(defined.Name, where);
            default:
                throw new AnchorPlanException($"{where} has the generic type '{type.Text}', which this decoder does not support");
        }
    }

    /// <summary>
    /// A type that contains itself with no option, vec or enum in between can never end, so it is an IDL error
    /// rather than something to find out while decoding.
    /// </summary>
    private static void CheckFiniteSizes(IReadOnlyDictionary<string, IdlTypeDef> types)
    {
        var finished = new HashSet<string>(StringComparer.Ordinal);
        var chain = new List<string>();
        foreach (string name in types.Keys)
        {
            Visit(name);
        }

        void Visit(string name)
        {
            if (finished.Contains(name))
            {
                return;
            }

            int seen = chain.IndexOf(name);
            if (seen >= 0)
            {
                string cycle = string.Join(" → ", chain.Skip(seen).Append(name));
                throw new AnchorPlanException(
                    $"{types[name].Where} contains itself ({cycle}) with no option, vec or enum in between, so its size is infinite");
            }

            chain.Add(name);
            IdlTypeDef def = types[name];
            if (def.Kind == IdlTypeDefKind.Struct)
            {
                foreach (IdlField field in def.Fields.Items)
                {
                    VisitAlwaysPresent(field.Type);
                }
            }
            else if (def.Kind == IdlTypeDefKind.Alias)
            {
                VisitAlwaysPresent(def.Alias!);
            }

            chain.RemoveAt(chain.Count - 1);
            finished.Add(name);
        }

        // Follows the parts of a value that are always there: struct fields, array elements, COption values.
        void VisitAlwaysPresent(IdlType type)
        {
            switch (type)
            {
                case IdlCOptionType coption:
                    VisitAlwaysPresent(coption.Inner);
                    break;
                case IdlArrayType array when array.GenericLength is not null || array.Length > 0:
                    VisitAlwaysPresent(array.Element);
                    break;
                case IdlDefinedType defined when types.ContainsKey(defined.Name):
                    Visit(defined.Name);
                    break;
            }
        }
    }
}
