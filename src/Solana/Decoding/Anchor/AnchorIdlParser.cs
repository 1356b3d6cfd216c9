using System.Globalization;
using System.Text;
using System.Text.Json;

namespace AccountGrains.Solana.Decoding.Anchor;

/// <summary>
/// Reads the JSON of an Anchor 0.30+ IDL into the type model. Every message names the IDL, the entry
/// (<c>types[3] 'Pool' field 'liquidity'</c>) and what is wrong, so a bad IDL is fixed from the message alone.
/// </summary>
internal sealed class AnchorIdlParser
{
    private static readonly JsonDocumentOptions DocumentOptions = new() { MaxDepth = 256 };

    private readonly string _describe;

    private AnchorIdlParser(string? source)
    {
        _describe = source is null ? "Anchor IDL" : $"Anchor IDL '{source}'";
    }

    public static AnchorIdl Parse(string json, string? source)
    {
        var parser = new AnchorIdlParser(source);
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(json, DocumentOptions);
        }
        catch (JsonException ex)
        {
            throw new AnchorIdlException($"{parser._describe} is not valid JSON: {ex.Message}", ex);
        }

        using (document)
        {
            return parser.ParseRoot(document.RootElement, source);
        }
    }

    /// <summary>"PodAlignedFeeTimeScheduler" → "pod_aligned_fee_time_scheduler"; "HTTPServer" → "http_server".</summary>
    internal static string ToSnakeCase(string name)
    {
        var text = new StringBuilder(name.Length + 8);
        for (int i = 0; i < name.Length; i++)
        {
            char c = name[i];
            if (char.IsAsciiLetterUpper(c))
            {
                bool afterLowerOrDigit = i > 0 && (char.IsAsciiLetterLower(name[i - 1]) || char.IsAsciiDigit(name[i - 1]));
                bool endsAcronym = i > 0 && char.IsAsciiLetterUpper(name[i - 1]) && i + 1 < name.Length && char.IsAsciiLetterLower(name[i + 1]);
                if ((afterLowerOrDigit || endsAcronym) && text.Length > 0 && text[^1] != '_')
                {
                    text.Append('_');
                }

                text.Append(char.ToLowerInvariant(c));
            }
            else
            {
                text.Append(c);
            }
        }

        return text.ToString();
    }

    private AnchorIdl ParseRoot(JsonElement root, string? source)
    {
        if (root.ValueKind != JsonValueKind.Object)
        {
            throw Error("the root", $"is a JSON {Kind(root)}; an Anchor IDL is a JSON object");
        }

        string addressText = RequiredString(root, "address", "the root",
            "an Anchor 0.30+ IDL has \"address\" (the program id); older IDLs keep it in metadata.address: convert them with `anchor idl convert`");
        if (!Pubkey.TryParse(addressText, out Pubkey address, out string? addressError))
        {
            throw Error("\"address\"", $"is not a program id: {addressError}");
        }

        if (!root.TryGetProperty("metadata", out JsonElement metadata) || metadata.ValueKind != JsonValueKind.Object)
        {
            throw Error("the root", "has no \"metadata\" object with the program name");
        }

        string name = RequiredString(metadata, "name", "\"metadata\"", "it names the program, e.g. \"cp_amm\"");
        if (name.Length == 0)
        {
            throw Error("\"metadata.name\"", "is empty");
        }

        string? version = metadata.TryGetProperty("version", out JsonElement v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;

        Dictionary<string, IdlTypeDef> types = ParseTypes(root);
        IReadOnlyList<AnchorIdlAccount> accounts = ParseAccounts(root, types);
        IReadOnlyList<AnchorIdlConstant> constants = ParseConstants(root);
        CheckReferences(types);

        try
        {
            return AnchorIdl.Create(address, name, version, source, accounts, types, constants);
        }
        catch (AnchorPlanException ex)
        {
            throw new AnchorIdlException($"{_describe}: {ex.Message}", ex);
        }
    }

    private Dictionary<string, IdlTypeDef> ParseTypes(JsonElement root)
    {
        var types = new Dictionary<string, IdlTypeDef>(StringComparer.Ordinal);
        if (!root.TryGetProperty("types", out JsonElement array) || array.ValueKind == JsonValueKind.Null)
        {
            return types;
        }

        if (array.ValueKind != JsonValueKind.Array)
        {
            throw Error("\"types\"", $"is a JSON {Kind(array)}; it should be an array of type definitions");
        }

        int index = 0;
        foreach (JsonElement entry in array.EnumerateArray())
        {
            string where = $"types[{index}]";
            IdlTypeDef def = ParseTypeDef(entry, where);
            if (!types.TryAdd(def.Name, def))
            {
                throw Error(def.Where, $"defines '{def.Name}' again; {types[def.Name].Where} already did");
            }

            index++;
        }

        return types;
    }

    private IdlTypeDef ParseTypeDef(JsonElement entry, string where)
    {
        if (entry.ValueKind != JsonValueKind.Object)
        {
            throw Error(where, $"is a JSON {Kind(entry)}; a type definition is an object with \"name\" and \"type\"");
        }

        string name = RequiredString(entry, "name", where, "every type definition has a name");
        where = $"{where} '{name}'";
        bool hasGenerics = entry.TryGetProperty("generics", out JsonElement generics)
            && generics.ValueKind == JsonValueKind.Array && generics.GetArrayLength() > 0;
        string serialization = ParseSerialization(entry, where);

        if (!entry.TryGetProperty("type", out JsonElement body) || body.ValueKind != JsonValueKind.Object)
        {
            throw Error(where, "has no \"type\" object (with \"kind\": \"struct\", \"enum\" or \"type\")");
        }

        string kind = RequiredString(body, "kind", where + " type", "it is \"struct\", \"enum\" or \"type\"");
        switch (kind)
        {
            case "struct":
                IdlFields fields = ParseFields(body, "fields", where);
                return new IdlTypeDef(name, where, IdlTypeDefKind.Struct, fields, [], null, serialization, hasGenerics);
            case "enum":
                return new IdlTypeDef(name, where, IdlTypeDefKind.Enum, IdlFields.Unit, ParseVariants(body, where), null, serialization, hasGenerics);
            case "type":
                if (!body.TryGetProperty("alias", out JsonElement alias))
                {
                    throw Error(where, "is a type alias (\"kind\": \"type\") without \"alias\"");
                }

                IdlType aliased = ParseType(alias, where + " alias");
                return new IdlTypeDef(name, where, IdlTypeDefKind.Alias, IdlFields.Unit, [], aliased, serialization, hasGenerics);
            default:
                throw Error(where, $"has kind {ErrorText.Quote(kind)}; the kinds are \"struct\", \"enum\" and \"type\"");
        }
    }

    private string ParseSerialization(JsonElement entry, string where)
    {
        if (!entry.TryGetProperty("serialization", out JsonElement serialization) || serialization.ValueKind == JsonValueKind.Null)
        {
            return "borsh";
        }

        if (serialization.ValueKind == JsonValueKind.Object && serialization.TryGetProperty("custom", out _))
        {
            return "custom";
        }

        string? text = serialization.ValueKind == JsonValueKind.String ? serialization.GetString() : null;
        return text switch
        {
            "borsh" or "bytemuck" or "bytemuckunsafe" => text,
            _ => throw Error(where, $"has serialization {serialization.GetRawText()}; known are \"borsh\", \"bytemuck\", \"bytemuckunsafe\" and {{\"custom\": ...}}"),
        };
    }

    private List<IdlVariant> ParseVariants(JsonElement body, string where)
    {
        if (!body.TryGetProperty("variants", out JsonElement variants) || variants.ValueKind != JsonValueKind.Array)
        {
            throw Error(where, "is an enum without a \"variants\" array");
        }

        var list = new List<IdlVariant>();
        var names = new HashSet<string>(StringComparer.Ordinal);
        int index = 0;
        foreach (JsonElement variant in variants.EnumerateArray())
        {
            string variantWhere = $"{where} variants[{index}]";
            if (variant.ValueKind != JsonValueKind.Object)
            {
                throw Error(variantWhere, $"is a JSON {Kind(variant)}; a variant is an object with \"name\" and maybe \"fields\"");
            }

            string name = RequiredString(variant, "name", variantWhere, "every variant has a name");
            if (!names.Add(name))
            {
                throw Error(variantWhere, $"repeats the variant name '{name}'");
            }

            list.Add(new IdlVariant(name, ParseFields(variant, "fields", $"{where} variant '{name}'")));
            index++;
        }

        if (list.Count > 256)
        {
            throw Error(where, $"has {list.Count} variants; a Borsh enum tag is one byte, so at most 256");
        }

        return list;
    }

    private IdlFields ParseFields(JsonElement owner, string property, string where)
    {
        if (!owner.TryGetProperty(property, out JsonElement fields) || fields.ValueKind == JsonValueKind.Null)
        {
            return IdlFields.Unit;
        }

        if (fields.ValueKind != JsonValueKind.Array)
        {
            throw Error(where, $"has \"{property}\" as a JSON {Kind(fields)}; it should be an array");
        }

        if (fields.GetArrayLength() == 0)
        {
            return IdlFields.Unit;
        }

        bool named = IsNamedField(fields[0]);
        var items = new List<IdlField>();
        var names = new HashSet<string>(StringComparer.Ordinal);
        int index = 0;
        foreach (JsonElement field in fields.EnumerateArray())
        {
            if (IsNamedField(field) != named)
            {
                throw Error($"{where} fields[{index}]", "mixes named fields ({\"name\", \"type\"}) with tuple fields (bare types)");
            }

            if (named)
            {
                string name = RequiredString(field, "name", $"{where} fields[{index}]", "a named field has a name");
                if (!names.Add(name))
                {
                    throw Error($"{where} fields[{index}]", $"repeats the field name '{name}'");
                }

                items.Add(new IdlField(name, ParseType(field.GetProperty("type"), $"{where} field '{name}'")));
            }
            else
            {
                string position = index.ToString(CultureInfo.InvariantCulture);
                items.Add(new IdlField(position, ParseType(field, $"{where} field {position}")));
            }

            index++;
        }

        return new IdlFields(named ? IdlFieldsKind.Named : IdlFieldsKind.Tuple, items);
    }

    private static bool IsNamedField(JsonElement field)
    {
        return field.ValueKind == JsonValueKind.Object && field.TryGetProperty("name", out _) && field.TryGetProperty("type", out _);
    }

    private IdlType ParseType(JsonElement type, string where)
    {
        if (type.ValueKind == JsonValueKind.String)
        {
            string name = type.GetString()!;
            return name switch
            {
                "bool" => new IdlPrimitiveType(IdlPrimitive.Bool),
                "u8" => new IdlPrimitiveType(IdlPrimitive.U8),
                "i8" => new IdlPrimitiveType(IdlPrimitive.I8),
                "u16" => new IdlPrimitiveType(IdlPrimitive.U16),
                "i16" => new IdlPrimitiveType(IdlPrimitive.I16),
                "u32" => new IdlPrimitiveType(IdlPrimitive.U32),
                "i32" => new IdlPrimitiveType(IdlPrimitive.I32),
                "f32" => new IdlPrimitiveType(IdlPrimitive.F32),
                "u64" => new IdlPrimitiveType(IdlPrimitive.U64),
                "i64" => new IdlPrimitiveType(IdlPrimitive.I64),
                "f64" => new IdlPrimitiveType(IdlPrimitive.F64),
                "u128" => new IdlPrimitiveType(IdlPrimitive.U128),
                "i128" => new IdlPrimitiveType(IdlPrimitive.I128),
                "u256" => new IdlPrimitiveType(IdlPrimitive.U256),
                "i256" => new IdlPrimitiveType(IdlPrimitive.I256),
                "bytes" => new IdlPrimitiveType(IdlPrimitive.Bytes),
                "string" => new IdlPrimitiveType(IdlPrimitive.String),
                "pubkey" => new IdlPrimitiveType(IdlPrimitive.Pubkey),
                "publicKey" => throw Error(where, "uses \"publicKey\", the pre-0.30 name of \"pubkey\"; convert the IDL with `anchor idl convert`"),
                _ => throw Error(where, $"has the unknown type {ErrorText.Quote(name)}"),
            };
        }

        if (type.ValueKind != JsonValueKind.Object)
        {
            throw Error(where, $"has a type that is a JSON {Kind(type)}; a type is a name like \"u64\" or an object like {{\"vec\": \"u8\"}}");
        }

        if (type.TryGetProperty("option", out JsonElement option))
        {
            return new IdlOptionType(ParseType(option, where));
        }

        if (type.TryGetProperty("coption", out JsonElement coption))
        {
            return new IdlCOptionType(ParseType(coption, where));
        }

        if (type.TryGetProperty("vec", out JsonElement vec))
        {
            return new IdlVecType(ParseType(vec, where));
        }

        if (type.TryGetProperty("array", out JsonElement array))
        {
            return ParseArray(array, where);
        }

        if (type.TryGetProperty("defined", out JsonElement defined))
        {
            return ParseDefined(defined, where);
        }

        if (type.TryGetProperty("generic", out JsonElement generic) && generic.ValueKind == JsonValueKind.String)
        {
            return new IdlGenericType(generic.GetString()!);
        }

        throw Error(where, $"has the unknown type {ErrorText.Quote(type.GetRawText())}; known wrappers are option, coption, vec, array, defined and generic");
    }

    private IdlArrayType ParseArray(JsonElement array, string where)
    {
        if (array.ValueKind != JsonValueKind.Array || array.GetArrayLength() != 2)
        {
            throw Error(where, "has an \"array\" that is not [element type, length]");
        }

        IdlType element = ParseType(array[0], where);
        JsonElement length = array[1];
        if (length.ValueKind == JsonValueKind.Object && length.TryGetProperty("generic", out JsonElement generic) && generic.ValueKind == JsonValueKind.String)
        {
            return new IdlArrayType(element, 0, generic.GetString());
        }

        if (length.ValueKind != JsonValueKind.Number || !length.TryGetInt32(out int count) || count < 0)
        {
            throw Error(where, $"has array length {length.GetRawText()}; it should be a whole number from 0 to {int.MaxValue}");
        }

        return new IdlArrayType(element, count, null);
    }

    private IdlDefinedType ParseDefined(JsonElement defined, string where)
    {
        // 0.30+ writes {"defined": {"name": "X", "generics": [...]}}; a bare {"defined": "X"} is accepted too.
        if (defined.ValueKind == JsonValueKind.String)
        {
            return new IdlDefinedType(defined.GetString()!, false);
        }

        if (defined.ValueKind != JsonValueKind.Object)
        {
            throw Error(where, "has a \"defined\" that is neither {\"name\": ...} nor a type name");
        }

        string name = RequiredString(defined, "name", where + " defined", "it names an entry of \"types\"");
        bool generics = defined.TryGetProperty("generics", out JsonElement args) && args.ValueKind == JsonValueKind.Array && args.GetArrayLength() > 0;
        return new IdlDefinedType(name, generics);
    }

    private List<AnchorIdlAccount> ParseAccounts(JsonElement root, Dictionary<string, IdlTypeDef> types)
    {
        if (!root.TryGetProperty("accounts", out JsonElement array) || array.ValueKind != JsonValueKind.Array || array.GetArrayLength() == 0)
        {
            throw Error("the root", "lists no accounts (\"accounts\" is missing or empty), so there is nothing to decode");
        }

        var accounts = new List<AnchorIdlAccount>();
        var names = new HashSet<string>(StringComparer.Ordinal);
        int index = 0;
        foreach (JsonElement entry in array.EnumerateArray())
        {
            string where = $"accounts[{index}]";
            if (entry.ValueKind != JsonValueKind.Object)
            {
                throw Error(where, $"is a JSON {Kind(entry)}; an account is an object with \"name\" and \"discriminator\"");
            }

            string name = RequiredString(entry, "name", where, "every account has a name");
            where = $"{where} '{name}'";
            if (!names.Add(name))
            {
                throw Error(where, $"repeats the account name '{name}'");
            }

            if (!entry.TryGetProperty("discriminator", out JsonElement discriminator))
            {
                throw Error(where, "has no \"discriminator\"; this looks like a pre-0.30 Anchor IDL: convert it with `anchor idl convert`");
            }

            byte[] bytes = ParseBytes(discriminator, where + " discriminator");
            if (bytes.Length == 0)
            {
                throw Error(where, "has an empty discriminator; it could never tell this account from another");
            }

            if (!types.ContainsKey(name))
            {
                throw Error(where, $"has no type definition: \"types\" has no entry named '{name}'");
            }

            foreach (AnchorIdlAccount other in accounts)
            {
                int common = Math.Min(other.Discriminator.Count, bytes.Length);
                if (other.Discriminator.Take(common).SequenceEqual(bytes.Take(common)))
                {
                    throw Error(where, $"has a discriminator that equals or begins like the one of '{other.Name}', so they cannot be told apart");
                }
            }

            accounts.Add(new AnchorIdlAccount(name, ToSnakeCase(name), bytes));
            index++;
        }

        return accounts;
    }

    private byte[] ParseBytes(JsonElement array, string where)
    {
        if (array.ValueKind != JsonValueKind.Array)
        {
            throw Error(where, $"is a JSON {Kind(array)}; it should be an array of byte values");
        }

        var bytes = new byte[array.GetArrayLength()];
        int i = 0;
        foreach (JsonElement item in array.EnumerateArray())
        {
            if (item.ValueKind != JsonValueKind.Number || !item.TryGetByte(out bytes[i]))
            {
                throw Error(where, $"has {item.GetRawText()} at position {i}; every entry is a byte from 0 to 255");
            }

            i++;
        }

        return bytes;
    }

    private List<AnchorIdlConstant> ParseConstants(JsonElement root)
    {
        var constants = new List<AnchorIdlConstant>();
        if (!root.TryGetProperty("constants", out JsonElement array) || array.ValueKind != JsonValueKind.Array)
        {
            return constants;
        }

        int index = 0;
        foreach (JsonElement entry in array.EnumerateArray())
        {
            string where = $"constants[{index}]";
            if (entry.ValueKind != JsonValueKind.Object)
            {
                throw Error(where, $"is a JSON {Kind(entry)}; a constant is an object with \"name\", \"type\" and \"value\"");
            }

            string name = RequiredString(entry, "name", where, "every constant has a name");
            string value = RequiredString(entry, "value", $"{where} '{name}'", "the IDL writes constant values as strings");
            if (!entry.TryGetProperty("type", out JsonElement type))
            {
                throw Error($"{where} '{name}'", "has no \"type\"");
            }

            constants.Add(new AnchorIdlConstant(name, ParseType(type, $"{where} '{name}'").Text, value));
            index++;
        }

        return constants;
    }

    /// <summary>Every defined type that any type refers to must exist, reachable from an account or not.</summary>
    private void CheckReferences(Dictionary<string, IdlTypeDef> types)
    {
        foreach (IdlTypeDef def in types.Values)
        {
            foreach (IdlField field in def.Fields.Items)
            {
                CheckReference(field.Type, types, $"{def.Where} field '{field.Name}'");
            }

            foreach (IdlVariant variant in def.Variants)
            {
                foreach (IdlField field in variant.Fields.Items)
                {
                    CheckReference(field.Type, types, $"{def.Where} variant '{variant.Name}' field '{field.Name}'");
                }
            }

            if (def.Alias is not null)
            {
                CheckReference(def.Alias, types, $"{def.Where} alias");
            }
        }
    }

    private void CheckReference(IdlType type, Dictionary<string, IdlTypeDef> types, string where)
    {
        switch (type)
        {
            case IdlOptionType option:
                CheckReference(option.Inner, types, where);
                break;
            case IdlCOptionType coption:
                CheckReference(coption.Inner, types, where);
                break;
            case IdlVecType vec:
                CheckReference(vec.Inner, types, where);
                break;
            case IdlArrayType array:
                CheckReference(array.Element, types, where);
                break;
            case IdlDefinedType defined when !types.ContainsKey(defined.Name):
                throw Error(where, $"refers to the type '{defined.Name}', which \"types\" does not define");
        }
    }

    private string RequiredString(JsonElement owner, string property, string where, string hint)
    {
        if (!owner.TryGetProperty(property, out JsonElement value) || value.ValueKind != JsonValueKind.String)
        {
            throw Error(where, $"has no \"{property}\" string; {hint}");
        }

        return value.GetString()!;
    }

    private static string Kind(JsonElement element)
    {
        return element.ValueKind switch
        {
            JsonValueKind.Object => "object",
            JsonValueKind.Array => "array",
            JsonValueKind.String => "string",
            JsonValueKind.Number => "number",
            JsonValueKind.True or JsonValueKind.False => "boolean",
            _ => "null",
        };
    }

    private AnchorIdlException Error(string where, string problem)
    {
        return new AnchorIdlException($"{_describe}: {where} {problem}");
    }
}
