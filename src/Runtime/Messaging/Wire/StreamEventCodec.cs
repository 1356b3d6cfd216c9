using System.Buffers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;

namespace AccountGrains.Runtime.Messaging.Wire;

/// <summary>
/// Turns stream events into bytes for the events exchange and back, and names their routing keys. Layout (version 1):
/// <code>
/// version:u8 = 1 | slot:u64 LE | write version:u64 LE | state:JSON (AccountState, data and fields as base64)
/// </code>
/// The <see cref="StreamToken"/> leads in fixed binary so a consumer can drop a duplicate or older event with
/// <see cref="ReadToken"/> before reading the state.
/// </summary>
public static class StreamEventCodec
{
    /// <summary>Longest routing key RabbitMQ accepts, in UTF-8 bytes.</summary>
    public const int MaxRoutingKeyBytes = 255;

    private const int HeaderLength = 17;

    private static readonly JsonTypeInfo<AccountState> StateInfo =
        (JsonTypeInfo<AccountState>)WireJson.Options.GetTypeInfo(typeof(AccountState));

    public static byte[] Encode(AccountChanged change)
    {
        return WireBuffers.Encode(change, static (buffer, c) => Encode(buffer, c));
    }

    public static void Encode(IBufferWriter<byte> writer, AccountChanged change)
    {
        ArgumentNullException.ThrowIfNull(writer);
        ArgumentNullException.ThrowIfNull(change);
        var state = change.State;
        WireFormat.WriteByte(writer, WireFormat.Version);
        WireFormat.WriteUInt64(writer, state.Slot);
        WireFormat.WriteUInt64(writer, state.WriteVersion);
        var json = WireBuffers.RentJson(writer);
        JsonSerializer.Serialize(json, state, StateInfo);
        WireBuffers.Return(json);
    }

    /// <summary>The token of an event without reading its state.</summary>
    /// <exception cref="GrainWireException">The payload is not an event of this format.</exception>
    public static StreamToken ReadToken(ReadOnlySpan<byte> payload)
    {
        var reader = new WireReader(payload, "stream event payload");
        reader.ReadVersion();
        return new StreamToken(reader.ReadUInt64("the slot"), reader.ReadUInt64("the write version"));
    }

    /// <exception cref="GrainWireException">The payload is not an event this build can read; the message says why.</exception>
    public static AccountChanged Decode(ReadOnlySpan<byte> payload)
    {
        var token = ReadToken(payload);
        AccountState? state;
        try
        {
            state = JsonSerializer.Deserialize(payload[HeaderLength..], StateInfo);
        }
        catch (Exception e) when (WireErrors.IsDataError(e))
        {
            throw new GrainWireException($"stream event payload: the account state is not valid: {e.Message}", e);
        }

        if (state is null)
        {
            throw new GrainWireException("stream event payload: the account state is null");
        }

        if (state.Token != token)
        {
            throw new GrainWireException($"stream event payload: header token {token} differs from the state's {state.Token}");
        }

        return new AccountChanged(state);
    }

    /// <summary>The routing key of <paramref name="stream"/> on the events exchange: <c>account.&lt;pubkey&gt;</c>, <c>program.&lt;owner&gt;</c>.</summary>
    /// <exception cref="ArgumentException">The namespace is empty or holds a '.', the key is empty, or the key is too long.</exception>
    public static string RoutingKey(StreamId stream)
    {
        if (string.IsNullOrEmpty(stream.Namespace) || stream.Namespace.Contains('.', StringComparison.Ordinal))
        {
            throw new ArgumentException($"stream namespace '{stream.Namespace}' must be a non-empty word without '.'", nameof(stream));
        }

        if (string.IsNullOrEmpty(stream.Key))
        {
            throw new ArgumentException($"stream {stream.Namespace} has an empty key", nameof(stream));
        }

        var key = stream.ToString();
        if (Encoding.UTF8.GetByteCount(key) > MaxRoutingKeyBytes)
        {
            throw new ArgumentException($"routing key of stream '{key}' is longer than {MaxRoutingKeyBytes} bytes", nameof(stream));
        }

        return key;
    }

    /// <summary>Reads a routing key back; the key part may itself hold dots.</summary>
    /// <exception cref="GrainWireException">The routing key is not <c>namespace.key</c>.</exception>
    public static StreamId ParseRoutingKey(string routingKey)
    {
        ArgumentNullException.ThrowIfNull(routingKey);
        var dot = routingKey.IndexOf('.', StringComparison.Ordinal);
        if (dot <= 0 || dot == routingKey.Length - 1)
        {
            throw new GrainWireException($"routing key '{routingKey}' is not of the form namespace.key");
        }

        return new StreamId(routingKey[..dot], routingKey[(dot + 1)..]);
    }
}
