using System.Buffers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;

namespace AccountGrains.Runtime.Messaging.Wire;

/// <summary>What a stream event payload holds, told by its first byte (see <see cref="StreamEventCodec"/>).</summary>
public enum StreamEventKind
{
    /// <summary>An <see cref="AccountChanged"/>: leading byte <c>0x01</c>.</summary>
    Account,

    /// <summary>A <see cref="WalletChanged"/>: leading byte <c>0x11</c>.</summary>
    Wallet,
}

/// <summary>
/// Turns stream events into bytes for the events exchange and back, and names their routing keys. The first byte
/// tells the kind of event (<see cref="ReadKind"/>), so a consumer dispatches before decoding anything else:
/// <code>
/// account event: 0x01 | slot:u64 LE | write version:u64 LE | state:JSON (AccountState, data and fields as base64)
/// wallet event:  0x11 | sequence:u64 LE                     | change:JSON (WalletChanged, activity may be null)
/// </code>
/// The account event's leading byte is the wire format version (<see cref="WireFormat.Version"/>), as it always was;
/// a wallet event's is kind 1 in the high nibble, version 1 in the low one. Any other leading byte is refused.
/// The <see cref="StreamToken"/> or the sequence leads in fixed binary so a consumer can drop a duplicate or older
/// event with <see cref="ReadToken"/> or <see cref="ReadSequence"/> before reading the JSON; a decode checks that
/// the header agrees with the JSON.
/// </summary>
public static class StreamEventCodec
{
    /// <summary>Longest routing key RabbitMQ accepts, in UTF-8 bytes.</summary>
    public const int MaxRoutingKeyBytes = 255;

    private const byte AccountLead = WireFormat.Version;
    private const byte WalletLead = 0x11;
    private const int HeaderLength = 17;
    private const int WalletHeaderLength = 9;

    private static readonly JsonTypeInfo<AccountState> StateInfo =
        (JsonTypeInfo<AccountState>)WireJson.Options.GetTypeInfo(typeof(AccountState));

    private static readonly JsonTypeInfo<WalletChanged> WalletInfo =
        (JsonTypeInfo<WalletChanged>)WireJson.Options.GetTypeInfo(typeof(WalletChanged));

    public static byte[] Encode(AccountChanged change)
    {
        return WireBuffers.Encode(change, static (buffer, c) => Encode(buffer, c));
    }

    public static void Encode(IBufferWriter<byte> writer, AccountChanged change)
    {
        ArgumentNullException.ThrowIfNull(writer);
        ArgumentNullException.ThrowIfNull(change);
        var state = change.State;
        WireFormat.WriteByte(writer, AccountLead);
        WireFormat.WriteUInt64(writer, state.Slot);
        WireFormat.WriteUInt64(writer, state.WriteVersion);
        WriteJson(writer, state, StateInfo);
    }

    public static byte[] Encode(WalletChanged change)
    {
        return WireBuffers.Encode(change, static (buffer, c) => Encode(buffer, c));
    }

    /// <exception cref="ArgumentOutOfRangeException">The sequence is negative (sequences count events from 0 up).</exception>
    public static void Encode(IBufferWriter<byte> writer, WalletChanged change)
    {
        ArgumentNullException.ThrowIfNull(writer);
        ArgumentNullException.ThrowIfNull(change);
        ArgumentOutOfRangeException.ThrowIfNegative(change.Sequence);
        WireFormat.WriteByte(writer, WalletLead);
        WireFormat.WriteUInt64(writer, (ulong)change.Sequence);
        WriteJson(writer, change, WalletInfo);
    }

    /// <summary>The kind of event in <paramref name="payload"/>, from its first byte alone.</summary>
    /// <exception cref="GrainWireException">The payload is empty or starts with a byte no event of this build starts with.</exception>
    public static StreamEventKind ReadKind(ReadOnlySpan<byte> payload)
    {
        if (payload.IsEmpty)
        {
            throw new GrainWireException("stream event payload is empty");
        }

        return payload[0] switch
        {
            AccountLead => StreamEventKind.Account,
            WalletLead => StreamEventKind.Wallet,
            var lead => throw new GrainWireException(
                $"stream event payload starts with byte 0x{lead:X2}, which this build does not read " +
                $"(account events start with 0x{AccountLead:X2}, wallet events with 0x{WalletLead:X2})"),
        };
    }

    /// <summary>The token of an account event without reading its state.</summary>
    /// <exception cref="GrainWireException">The payload is not an account event of this format.</exception>
    public static StreamToken ReadToken(ReadOnlySpan<byte> payload)
    {
        if (!payload.IsEmpty && payload[0] == WalletLead)
        {
            throw new GrainWireException("stream event payload is a wallet event, not an account event");
        }

        var reader = new WireReader(payload, "stream event payload");
        reader.ReadVersion();
        return new StreamToken(reader.ReadUInt64("the slot"), reader.ReadUInt64("the write version"));
    }

    /// <exception cref="GrainWireException">The payload is not an account event this build can read; the message says why.</exception>
    public static AccountChanged Decode(ReadOnlySpan<byte> payload)
    {
        var token = ReadToken(payload);
        var state = ReadJson(payload[HeaderLength..], StateInfo, "stream event payload", "the account state");
        if (state.Token != token)
        {
            throw new GrainWireException($"stream event payload: header token {token} differs from the state's {state.Token}");
        }

        return new AccountChanged(state);
    }

    /// <summary>The sequence of a wallet event without reading the change.</summary>
    /// <exception cref="GrainWireException">The payload is not a wallet event of this format.</exception>
    public static long ReadSequence(ReadOnlySpan<byte> payload)
    {
        if (ReadKind(payload) != StreamEventKind.Wallet)
        {
            throw new GrainWireException("stream event payload is an account event, not a wallet event");
        }

        var reader = new WireReader(payload, "wallet event payload");
        reader.ReadByte("the kind");
        var sequence = reader.ReadUInt64("the sequence");
        if (sequence > long.MaxValue)
        {
            throw new GrainWireException($"wallet event payload is malformed: the sequence {sequence} is larger than {long.MaxValue}");
        }

        return (long)sequence;
    }

    /// <exception cref="GrainWireException">The payload is not a wallet event this build can read; the message says why.</exception>
    public static WalletChanged DecodeWallet(ReadOnlySpan<byte> payload)
    {
        var sequence = ReadSequence(payload);
        var change = ReadJson(payload[WalletHeaderLength..], WalletInfo, "wallet event payload", "the wallet change");
        if (change.Sequence != sequence)
        {
            throw new GrainWireException($"wallet event payload: header sequence {sequence} differs from the change's {change.Sequence}");
        }

        return change;
    }

    /// <summary>The routing key of <paramref name="stream"/> on the events exchange: <c>account.&lt;pubkey&gt;</c>, <c>program.&lt;owner&gt;</c>, <c>wallet.&lt;address&gt;</c>.</summary>
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

    private static void WriteJson<T>(IBufferWriter<byte> writer, T value, JsonTypeInfo<T> info)
    {
        var json = WireBuffers.RentJson(writer);
        JsonSerializer.Serialize(json, value, info);
        WireBuffers.Return(json);
    }

    private static T ReadJson<T>(ReadOnlySpan<byte> json, JsonTypeInfo<T> info, string payloadName, string what)
        where T : class
    {
        T? value;
        try
        {
            value = JsonSerializer.Deserialize(json, info);
        }
        catch (Exception e) when (WireErrors.IsDataError(e))
        {
            throw new GrainWireException($"{payloadName}: {what} is not valid: {e.Message}", e);
        }

        return value ?? throw new GrainWireException($"{payloadName}: {what} is null");
    }
}
