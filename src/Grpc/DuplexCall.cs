using System.Runtime.CompilerServices;

using AccountGrains.Grpc.Internal;

using Google.Protobuf;

namespace AccountGrains.Grpc;

/// <summary>
/// A bidirectional streaming call. Reading and writing may run concurrently (one reader, writes are serialized).
/// Dispose cancels the call if it has not finished.
/// </summary>
public sealed class DuplexCall<TRequest, TResponse> : IDisposable
    where TRequest : class, IMessage<TRequest>
    where TResponse : class, IMessage<TResponse>
{
    private readonly GrpcCall _call;

    internal DuplexCall(GrpcCall call, MessageParser<TResponse> parser)
    {
        _call = call;
        RequestStream = new RequestStreamWriter<TRequest>(call);
        ResponseStream = new ResponseStreamReader<TResponse>(call, parser);
    }

    public RequestStreamWriter<TRequest> RequestStream { get; }

    public ResponseStreamReader<TResponse> ResponseStream { get; }

    /// <summary>The final status; throws <see cref="InvalidOperationException"/> while the call is still running.</summary>
    public GrpcStatus GetStatus()
    {
        return _call.GetStatus();
    }

    /// <summary>The trailers sent with the final status; throws <see cref="InvalidOperationException"/> while the call is still running.</summary>
    public Metadata GetTrailers()
    {
        return _call.GetTrailers();
    }

    /// <summary>Cancels the call (the server sees the stream reset) unless it has finished, and frees its resources.</summary>
    public void Dispose()
    {
        _call.Dispose();
    }
}

/// <summary>The client's side of a streaming call: each message is written and flushed before WriteAsync returns.</summary>
public sealed class RequestStreamWriter<TRequest>
    where TRequest : class, IMessage<TRequest>
{
    private readonly GrpcCall _call;

    internal RequestStreamWriter(GrpcCall call)
    {
        _call = call;
    }

    /// <summary>
    /// Writes one message and flushes it. Concurrent writes are sent one after another. Cancelling a write cancels
    /// the call; a message over the configured maximum fails with RESOURCE_EXHAUSTED without being sent.
    /// </summary>
    public Task WriteAsync(TRequest message, CancellationToken cancellationToken = default)
    {
        return _call.WriteAsync(message, cancellationToken);
    }

    /// <summary>Tells the server no more messages follow (half-close); the response stream stays open.</summary>
    public Task CompleteAsync()
    {
        _call.CompleteWrites();
        return Task.CompletedTask;
    }
}

/// <summary>The server's side of a streaming call. Ends normally on status OK; any other status throws <see cref="GrpcException"/>.</summary>
public sealed class ResponseStreamReader<TResponse>
    where TResponse : class, IMessage<TResponse>
{
    private readonly GrpcCall _call;
    private readonly MessageParser<TResponse> _parser;
    private TResponse? _current;
    private int _reading;

    internal ResponseStreamReader(GrpcCall call, MessageParser<TResponse> parser)
    {
        _call = call;
        _parser = parser;
    }

    /// <summary>The message read by the last <see cref="MoveNext"/> that returned true.</summary>
    public TResponse Current => _current ?? throw new InvalidOperationException("no message has been read: call MoveNext first");

    /// <summary>
    /// Reads the next message: true with <see cref="Current"/> set, false once the call ended with OK. Cancelling
    /// <paramref name="cancellationToken"/> cancels the call.
    /// </summary>
    public async Task<bool> MoveNext(CancellationToken cancellationToken = default)
    {
        if (Interlocked.Exchange(ref _reading, 1) == 1)
        {
            throw new InvalidOperationException("another read is in progress; read the response stream from one place at a time");
        }

        try
        {
            TResponse? message = await _call.ReadMessageAsync(_parser, cancellationToken).ConfigureAwait(false);
            if (message is null)
            {
                return false;
            }

            _current = message;
            return true;
        }
        finally
        {
            Volatile.Write(ref _reading, 0);
        }
    }

    /// <summary>Every remaining message, until the call ends with OK (or throws for any other status).</summary>
    public async IAsyncEnumerable<TResponse> ReadAllAsync([EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        while (await MoveNext(cancellationToken).ConfigureAwait(false))
        {
            yield return Current;
        }
    }
}
