using System.Buffers;
using System.Collections.Frozen;
using System.Reflection;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using AccountGrains.Runtime.Catalog;

namespace AccountGrains.Runtime.Messaging.Wire;

/// <summary>
/// Turns a grain call into bytes for a partition queue and back. Layout (version 1):
/// <code>
/// version:u8 = 1 | flags:u8 (bit 0 one-way) | grain type:str | grain key:str | method:str | arguments:JSON array
/// </code>
/// The method is named by its stable signature, <c>ApplyAsync(AccountUpdate)</c>, looked up in the grain interface of
/// the target's grain type; never by reflection order. A payload that names an unknown grain type or method, is cut
/// short, or holds garbage decodes to a <see cref="GrainWireException"/> saying what was wrong.
/// </summary>
public sealed class GrainCallCodec
{
    private const byte OneWayFlag = 1;

    private readonly FrozenDictionary<string, FrozenDictionary<string, WireMethod>> _methodsByGrainType;
    private readonly FrozenDictionary<MethodInfo, WireMethod> _methodsByInfo;

    /// <summary>A codec for the grain interfaces a silo has classes for.</summary>
    public GrainCallCodec(GrainTypeRegistry registry)
        : this(InterfacesOf(registry))
    {
    }

    /// <summary>A codec for <paramref name="grainInterfaces"/>, named by their <see cref="GrainTypeAttribute"/> (a client has no grain classes).</summary>
    public GrainCallCodec(IEnumerable<Type> grainInterfaces)
        : this(InterfacesOf(grainInterfaces))
    {
    }

    private GrainCallCodec(IEnumerable<(Type Interface, string TypeName)> interfaces)
    {
        var byGrainType = new Dictionary<string, FrozenDictionary<string, WireMethod>>(StringComparer.Ordinal);
        var byInfo = new Dictionary<MethodInfo, WireMethod>();
        foreach (var (grainInterface, typeName) in interfaces)
        {
            var methods = new Dictionary<string, WireMethod>(StringComparer.Ordinal);
            foreach (var info in MethodsOf(grainInterface))
            {
                var method = byInfo.TryGetValue(info, out var known) ? known : new WireMethod(info);
                if (!methods.TryAdd(method.Signature, method))
                {
                    throw new InvalidOperationException(
                        $"grain interface {grainInterface.Name} has two methods named {method.Signature} on the wire");
                }

                byInfo[info] = method;
            }

            if (!byGrainType.TryAdd(typeName, methods.ToFrozenDictionary(StringComparer.Ordinal)))
            {
                throw new InvalidOperationException($"grain type '{typeName}' is given twice");
            }
        }

        _methodsByGrainType = byGrainType.ToFrozenDictionary(StringComparer.Ordinal);
        _methodsByInfo = byInfo.ToFrozenDictionary();
    }

    /// <summary>The grain types this codec knows.</summary>
    public IReadOnlyCollection<string> GrainTypes => _methodsByGrainType.Keys;

    /// <summary>The stable wire name of a grain method: <c>ApplyAsync(AccountUpdate)</c>.</summary>
    public static string SignatureOf(MethodInfo method)
    {
        ArgumentNullException.ThrowIfNull(method);
        return WireNames.Of(method);
    }

    public byte[] Encode(GrainMessage message)
    {
        ArgumentNullException.ThrowIfNull(message);
        return Encode(message.Target, message.Method, message.Arguments, oneWay: message.Response is null);
    }

    public byte[] Encode(GrainId target, GrainMethod method, object?[] arguments, bool oneWay) =>
        WireBuffers.Encode((Codec: this, target, method, arguments, oneWay), static (buffer, call) =>
            call.Codec.Encode(buffer, call.target, call.method, call.arguments, call.oneWay));

    /// <summary>Writes the call to <paramref name="writer"/>.</summary>
    /// <exception cref="GrainWireException">The method is not one of a known grain interface of <paramref name="target"/>'s type.</exception>
    public void Encode(IBufferWriter<byte> writer, GrainId target, GrainMethod method, object?[] arguments, bool oneWay)
    {
        ArgumentNullException.ThrowIfNull(writer);
        ArgumentNullException.ThrowIfNull(method);
        ArgumentNullException.ThrowIfNull(arguments);
        var wire = Find(target, method);
        if (arguments.Length != wire.Parameters.Length)
        {
            throw new ArgumentException(
                $"{target.Type}.{wire.Signature} takes {wire.Parameters.Length} arguments, not {arguments.Length}", nameof(arguments));
        }

        WireFormat.WriteByte(writer, WireFormat.Version);
        WireFormat.WriteByte(writer, oneWay ? OneWayFlag : (byte)0);
        WireFormat.WriteString(writer, target.Type);
        WireFormat.WriteString(writer, target.Key);
        WireFormat.WriteString(writer, wire.Signature);
        var json = WireBuffers.RentJson(writer);
        json.WriteStartArray();
        for (var i = 0; i < arguments.Length; i++)
        {
            JsonSerializer.Serialize(json, arguments[i], wire.Parameters[i]);
        }

        json.WriteEndArray();
        WireBuffers.Return(json);
    }

    /// <summary>Reads a call back; the result can be run by <see cref="GrainMethod"/> on an activation.</summary>
    /// <exception cref="GrainWireException">The payload is not a call this codec can read; the message says why.</exception>
    public GrainCall Decode(ReadOnlySpan<byte> payload)
    {
        var reader = new WireReader(payload, "grain call payload");
        reader.ReadVersion();
        var flags = reader.ReadByte("the flags");
        if ((flags & ~OneWayFlag) != 0)
        {
            throw new GrainWireException($"grain call payload has unknown flags 0x{flags:x2}");
        }

        var type = reader.ReadString("the grain type");
        var key = reader.ReadString("the grain key");
        var signature = reader.ReadString("the method");
        if (!_methodsByGrainType.TryGetValue(type, out var methods))
        {
            throw new GrainWireException($"grain call to '{type}/{key}': unknown grain type '{type}'");
        }

        if (!methods.TryGetValue(signature, out var method))
        {
            throw new GrainWireException($"grain call to '{type}/{key}': grain type '{type}' has no method {signature}");
        }

        GrainId target;
        try
        {
            target = new GrainId(type, key);
        }
        catch (ArgumentException e)
        {
            throw new GrainWireException($"grain call payload names an invalid grain id: {e.Message}", e);
        }

        var arguments = ReadArguments(reader.Rest, target, method);
        return new GrainCall(target, method.Method, arguments, IsOneWay: (flags & OneWayFlag) != 0);
    }

    private static object?[] ReadArguments(ReadOnlySpan<byte> json, GrainId target, WireMethod method)
    {
        var arguments = method.Parameters.Length == 0 ? [] : new object?[method.Parameters.Length];
        var i = 0;
        try
        {
            var reader = new Utf8JsonReader(json);
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartArray)
            {
                throw new GrainWireException($"grain call to {target}.{method.Signature}: the arguments are not a JSON array");
            }

            for (; i < arguments.Length; i++)
            {
                if (!reader.Read() || reader.TokenType == JsonTokenType.EndArray)
                {
                    throw new GrainWireException(
                        $"grain call to {target}.{method.Signature}: {i} arguments where {arguments.Length} are expected");
                }

                arguments[i] = JsonSerializer.Deserialize(ref reader, method.Parameters[i])
                    ?? (method.ParameterAllowsNull[i] ? null : throw new JsonException("null where the method takes a value"));
            }

            if (!reader.Read() || reader.TokenType != JsonTokenType.EndArray)
            {
                throw new GrainWireException(
                    $"grain call to {target}.{method.Signature}: more arguments than the {arguments.Length} expected");
            }

            if (reader.Read())
            {
                throw new GrainWireException($"grain call to {target}.{method.Signature}: bytes after the arguments");
            }
        }
        catch (Exception e) when (e is not GrainWireException && WireErrors.IsDataError(e))
        {
            var what = i < arguments.Length
                ? $"argument {i} ({method.ParameterNames[i]}: {WireNames.Of(method.Parameters[i].Type)})"
                : "the arguments";
            throw new GrainWireException($"grain call to {target}.{method.Signature}: {what} is not valid: {e.Message}", e);
        }

        return arguments;
    }

    private WireMethod Find(GrainId target, GrainMethod method)
    {
        if (_methodsByInfo.TryGetValue(method.Info, out var wire)
            && _methodsByGrainType.TryGetValue(target.Type, out var methods)
            && methods.TryGetValue(wire.Signature, out var found)
            && ReferenceEquals(found, wire))
        {
            return wire;
        }

        throw new GrainWireException(
            $"cannot encode a call of {method.Info.DeclaringType?.Name}.{method.Name} to '{target}': it is not a method of grain type '{target.Type}' known to this codec");
    }

    private static IEnumerable<(Type Interface, string TypeName)> InterfacesOf(GrainTypeRegistry registry)
    {
        ArgumentNullException.ThrowIfNull(registry);
        return registry.Interfaces.Select(i => (i, registry.TypeNameFor(i)));
    }

    private static IEnumerable<(Type Interface, string TypeName)> InterfacesOf(IEnumerable<Type> grainInterfaces)
    {
        ArgumentNullException.ThrowIfNull(grainInterfaces);
        return grainInterfaces.Select(i => (i, GrainTypeRegistry.TypeNameOf(i)));
    }

    private static IEnumerable<MethodInfo> MethodsOf(Type grainInterface)
    {
        if (!grainInterface.IsInterface || !typeof(IGrain).IsAssignableFrom(grainInterface))
        {
            throw new ArgumentException($"{grainInterface.Name} is not a grain interface", nameof(grainInterface));
        }

        return grainInterface.GetInterfaces().Append(grainInterface)
            .SelectMany(i => i.GetMethods(BindingFlags.Public | BindingFlags.Instance))
            .Where(m => m.IsAbstract);
    }

    /// <summary>A grain method as the wire sees it: its stable name and how to read and write its arguments.</summary>
    private sealed class WireMethod
    {
        public WireMethod(MethodInfo info)
        {
            Method = GrainMethod.For(info);
            Signature = WireNames.Of(info);
            var parameters = info.GetParameters();
            var usedBy = $"{info.DeclaringType?.Name}.{Signature}";
            Parameters = [.. parameters.Select(p => WireJson.TypeInfo(p.ParameterType, usedBy))];
            ParameterNames = [.. parameters.Select(p => p.Name ?? "?")];
            var nullability = new NullabilityInfoContext();
            ParameterAllowsNull = [.. parameters.Select(p => nullability.Create(p).ReadState != NullabilityState.NotNull)];
            _ = GrainReplyCodec.ResultTypeInfo(Method);
        }

        public GrainMethod Method { get; }

        public string Signature { get; }

        public JsonTypeInfo[] Parameters { get; }

        public string[] ParameterNames { get; }

        /// <summary>Per parameter: may be null (<c>string?</c>, <c>int?</c>); null for any other is bad data.</summary>
        public bool[] ParameterAllowsNull { get; }
    }
}

/// <summary>A grain call read off the wire: run it by handing <see cref="ToMessage"/> to the target's activation.</summary>
public readonly record struct GrainCall(GrainId Target, GrainMethod Method, object?[] Arguments, bool IsOneWay)
{
    /// <summary>The in-process message; <paramref name="response"/> receives the outcome (null for one-way calls).</summary>
    public GrainMessage ToMessage(IResponseSink? response) => new(Target, Method, Arguments, IsOneWay ? null : response);
}
