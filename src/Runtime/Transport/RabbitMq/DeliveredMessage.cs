using System.Text;
using RabbitMQ.Client;

namespace AccountGrains.Runtime.Transport.RabbitMq;

/// <summary>
/// One message taken from a partition queue. It is acknowledged when the consumer's handler task completes, so a
/// handler completes only once the message's effect is durable; a request is answered with <see cref="ReplyAsync"/>.
/// </summary>
public sealed class DeliveredMessage
{
    private readonly Func<string, string, ReadOnlyMemory<byte>, CancellationToken, Task>? _reply;

    internal DeliveredMessage(
        int partition, ReadOnlyMemory<byte> body, IReadOnlyBasicProperties properties, bool redelivered,
        Func<string, string, ReadOnlyMemory<byte>, CancellationToken, Task>? reply)
    {
        Partition = partition;
        Body = body;
        Redelivered = redelivered;
        Headers = properties.Headers is { } headers ? new Dictionary<string, object?>(headers) : EmptyHeaders;
        CorrelationId = properties.CorrelationId;
        ReplyTo = properties.ReplyTo;
        if (Headers.TryGetValue("x-delivery-count", out var count) && count is not null)
        {
            DeliveryCount = Convert.ToInt64(count, System.Globalization.CultureInfo.InvariantCulture);
        }

        _reply = reply;
    }

    private static readonly Dictionary<string, object?> EmptyHeaders = [];

    public int Partition { get; }

    /// <summary>The payload, copied out of the client's buffer: valid for as long as the caller keeps it.</summary>
    public ReadOnlyMemory<byte> Body { get; }

    /// <summary>
    /// The headers as RabbitMQ.Client reads them (strings arrive as <c>byte[]</c>; see <see cref="HeaderAsString"/>).
    /// </summary>
    public IReadOnlyDictionary<string, object?> Headers { get; }

    /// <summary>
    /// The broker delivered this message before (a handler failed, a consumer stopped or crashed without acknowledging
    /// it). The handler must be idempotent: the effect may already be stored.
    /// </summary>
    public bool Redelivered { get; }

    /// <summary>
    /// How many earlier deliveries a quorum queue counted (its <c>x-delivery-count</c> header); null on a classic
    /// queue, which only has <see cref="Redelivered"/>.
    /// </summary>
    public long? DeliveryCount { get; }

    public string? CorrelationId { get; }

    /// <summary>Where the caller of a request waits for the reply; null for a one-way message.</summary>
    public string? ReplyTo { get; }

    /// <summary>Whether the sender waits for <see cref="ReplyAsync"/>.</summary>
    public bool IsRequest => ReplyTo is not null && CorrelationId is not null;

    /// <summary>A header as text (RabbitMQ carries string headers as bytes), or null when it is missing.</summary>
    public string? HeaderAsString(string name) => Headers.TryGetValue(name, out var value) ? value switch
    {
        null => null,
        byte[] bytes => Encoding.UTF8.GetString(bytes),
        _ => Convert.ToString(value, System.Globalization.CultureInfo.InvariantCulture),
    } : null;

    /// <summary>
    /// Answers a request. A reply to a caller that already timed out is dropped by the caller, not here; a reply to a
    /// caller whose connection is gone is dropped by the broker.
    /// </summary>
    public Task ReplyAsync(ReadOnlyMemory<byte> body, CancellationToken cancellationToken = default)
    {
        if (!IsRequest || _reply is null)
        {
            throw new InvalidOperationException($"the message from partition {Partition} is not a request: nobody waits for a reply");
        }

        return _reply(ReplyTo!, CorrelationId!, body, cancellationToken);
    }
}
