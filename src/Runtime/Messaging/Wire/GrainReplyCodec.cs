using System.Buffers;
using System.Collections.Concurrent;
using System.Reflection;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;

namespace AccountGrains.Runtime.Messaging.Wire;

/// <summary>
/// Turns the outcome of a grain call into bytes for the reply and back. Layout (version 1):
/// <code>
/// version:u8 = 1 | kind:u8 = 0 (completed, Task) | 1 (value: JSON of the result type) | 2 (exception)
/// exception: type:str | message:str | has parameter:u8 | parameter:str
/// </code>
/// The caller rebuilds <see cref="ArgumentException"/> (and its null / out-of-range kinds),
/// <see cref="InvalidOperationException"/>, <see cref="KeyNotFoundException"/> and <see cref="TimeoutException"/> as
/// themselves, so code that catches them works the same in a cluster as embedded; any other exception arrives as a
/// <see cref="GrainCallException"/> carrying the remote type name and message. Stack traces stay with the grain.
/// </summary>
public static class GrainReplyCodec
{
    /// <summary>Longest exception message sent, in characters; a longer one is cut.</summary>
    public const int MaxMessageLength = 8 * 1024;

    private const byte Completed = 0;
    private const byte Value = 1;
    private const byte Failed = 2;

    private static readonly ConcurrentDictionary<GrainMethod, ResultShape> Shapes = new();

    public static byte[] EncodeResult(GrainMethod method, object? result)
    {
        return WireBuffers.Encode((method, result), static (buffer, reply) => EncodeResult(buffer, reply.method, reply.result));
    }

    /// <summary>Writes the successful result of <paramref name="method"/> (null for a method returning <see cref="Task"/>).</summary>
    public static void EncodeResult(IBufferWriter<byte> writer, GrainMethod method, object? result)
    {
        ArgumentNullException.ThrowIfNull(writer);
        var resultType = ResultTypeInfo(method);
        WireFormat.WriteByte(writer, WireFormat.Version);
        if (resultType is null)
        {
            WireFormat.WriteByte(writer, Completed);
            return;
        }

        WireFormat.WriteByte(writer, Value);
        var json = WireBuffers.RentJson(writer);
        JsonSerializer.Serialize(json, result, resultType);
        WireBuffers.Return(json);
    }

    public static byte[] EncodeException(Exception exception)
    {
        return WireBuffers.Encode(exception, static (buffer, e) => EncodeException(buffer, e));
    }

    /// <summary>Writes a failed outcome: the exception's type name and message.</summary>
    public static void EncodeException(IBufferWriter<byte> writer, Exception exception)
    {
        ArgumentNullException.ThrowIfNull(writer);
        ArgumentNullException.ThrowIfNull(exception);
        var (message, parameter) = exception is ArgumentException argument ? SplitParameter(argument) : (exception.Message, null);
        if (message.Length > MaxMessageLength)
        {
            message = string.Concat(message.AsSpan(0, MaxMessageLength), "…");
        }

        WireFormat.WriteByte(writer, WireFormat.Version);
        WireFormat.WriteByte(writer, Failed);
        WireFormat.WriteString(writer, exception.GetType().FullName ?? exception.GetType().Name);
        WireFormat.WriteString(writer, message);
        WireFormat.WriteByte(writer, parameter is null ? (byte)0 : (byte)1);
        if (parameter is not null)
        {
            WireFormat.WriteString(writer, parameter);
        }
    }

    /// <summary>Reads the outcome of a call of <paramref name="method"/>: its result, or the exception to raise.</summary>
    /// <exception cref="GrainWireException">The payload is not a reply to <paramref name="method"/>; the message says why.</exception>
    public static GrainReply Decode(ReadOnlySpan<byte> payload, GrainMethod method)
    {
        var shape = ShapeOf(method);
        var resultType = shape.Result;
        var reader = new WireReader(payload, $"reply to {method.Name}");
        reader.ReadVersion();
        var kind = reader.ReadByte("the kind");
        switch (kind)
        {
            case Completed when resultType is null:
                ExpectEnd(reader, method);
                return new GrainReply(null, null);
            case Value when resultType is not null:
                return new GrainReply(ReadValue(reader.Rest, resultType, shape.AllowsNull, method), null);
            case Failed:
                var type = reader.ReadString("the exception type");
                var message = reader.ReadString("the exception message");
                var parameter = reader.ReadByte("the parameter flag") switch
                {
                    0 => null,
                    1 => reader.ReadString("the parameter name"),
                    var flag => throw new GrainWireException($"reply to {method.Name} has an invalid parameter flag {flag}"),
                };
                ExpectEnd(reader, method);
                return new GrainReply(null, Rebuild(type, message, parameter));
            case Completed or Value:
                throw new GrainWireException(
                    $"reply to {method.Name} is a {(kind == Value ? "value" : "completion without value")}, but the method returns {WireNames.Of(method.Info.ReturnType)}");
            default:
                throw new GrainWireException($"reply to {method.Name} has unknown kind {kind}");
        }
    }

    /// <summary>The JSON of <paramref name="method"/>'s result, or null when it returns plain <see cref="Task"/>.</summary>
    internal static JsonTypeInfo? ResultTypeInfo(GrainMethod method) => ShapeOf(method).Result;

    private static ResultShape ShapeOf(GrainMethod method)
    {
        ArgumentNullException.ThrowIfNull(method);
        return Shapes.GetOrAdd(method, static m =>
        {
            var returnType = m.Info.ReturnType;
            if (!returnType.IsGenericType || returnType.GetGenericTypeDefinition() != typeof(Task<>))
            {
                return new ResultShape(null, AllowsNull: true);
            }

            var result = new NullabilityInfoContext().Create(m.Info.ReturnParameter).GenericTypeArguments[0];
            return new ResultShape(
                WireJson.TypeInfo(returnType.GetGenericArguments()[0], $"the result of {m.Info.DeclaringType?.Name}.{m.Name}"),
                result.ReadState != NullabilityState.NotNull);
        });
    }

    private static object? ReadValue(ReadOnlySpan<byte> json, JsonTypeInfo resultType, bool allowsNull, GrainMethod method)
    {
        try
        {
            return JsonSerializer.Deserialize(json, resultType)
                ?? (allowsNull ? null : throw new JsonException("null where the method returns a value"));
        }
        catch (Exception e) when (WireErrors.IsDataError(e))
        {
            throw new GrainWireException(
                $"reply to {method.Name}: the result ({WireNames.Of(resultType.Type)}) is not valid: {e.Message}", e);
        }
    }

    private static void ExpectEnd(WireReader reader, GrainMethod method)
    {
        if (!reader.Rest.IsEmpty)
        {
            throw new GrainWireException($"reply to {method.Name} has {reader.Rest.Length} bytes after its end");
        }
    }

    private static Exception Rebuild(string type, string message, string? parameter) => type switch
    {
        "System.ArgumentException" => new ArgumentException(message, parameter),
        "System.ArgumentNullException" => new ArgumentNullException(parameter, message),
        "System.ArgumentOutOfRangeException" => new ArgumentOutOfRangeException(parameter, message),
        "System.InvalidOperationException" => new InvalidOperationException(message),
        "System.Collections.Generic.KeyNotFoundException" => new KeyNotFoundException(message),
        "System.TimeoutException" => new TimeoutException(message),
        _ => new GrainCallException(type, parameter is null ? message : $"{message} (Parameter '{parameter}')"),
    };

    /// <summary>
    /// <see cref="ArgumentException.Message"/> ends with <c> (Parameter 'name')</c>; send the message without it and the
    /// name apart, so the rebuilt exception has the same message and parameter name.
    /// </summary>
    private static (string Message, string? Parameter) SplitParameter(ArgumentException exception)
    {
        var message = exception.Message;
        if (exception.ParamName is { } name)
        {
            var suffix = $" (Parameter '{name}')";
            if (message.EndsWith(suffix, StringComparison.Ordinal))
            {
                return (message[..^suffix.Length], name);
            }
        }

        return (message, null);
    }

    private sealed record ResultShape(JsonTypeInfo? Result, bool AllowsNull);
}

/// <summary>The outcome of a remote grain call: a result, or the exception the caller raises.</summary>
public readonly record struct GrainReply(object? Result, Exception? Exception)
{
    public bool IsSuccess => Exception is null;

    /// <summary>Hands the outcome to the caller's sink.</summary>
    public void CompleteTo(IResponseSink response)
    {
        ArgumentNullException.ThrowIfNull(response);
        if (Exception is null)
        {
            response.SetResult(Result);
        }
        else
        {
            response.SetException(Exception);
        }
    }
}
