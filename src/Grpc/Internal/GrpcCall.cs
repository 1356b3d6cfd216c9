using System.Buffers;
using System.Diagnostics;
using System.IO.Pipelines;
using System.Net;
using System.Net.Http.Headers;

using Google.Protobuf;

using Microsoft.Extensions.Logging;

namespace AccountGrains.Grpc.Internal;

/// <summary>
/// One gRPC call over one HTTP/2 stream: sends the request, reads framed messages and the final status, and turns
/// every way a call can end (trailers, HTTP errors, resets, deadlines, cancellation, bad frames) into one status.
/// The first status decided wins; later ones are ignored.
/// </summary>
internal sealed class GrpcCall : IDisposable
{
    private static readonly TimeSpan MaxLocalDeadline = TimeSpan.FromDays(40);
    private static readonly StreamPipeReaderOptions PipeOptions = new(bufferSize: 32 * 1024, minimumReadSize: 4 * 1024);

    private readonly GrpcConnection _connection;
    private readonly string _method;
    private readonly CallOptions _options;
    private readonly DuplexContent? _duplexContent;
    private readonly CancellationTokenSource _cts = new();
    private readonly SemaphoreSlim _writeLock = new(1, 1);
    private readonly Lock _gate = new();
    private Task<HttpResponseMessage>? _responseTask;
    private HttpResponseMessage? _response;
    private MessageReader? _reader;
    private CancellationTokenSource? _deadlineTimer;
    private CancellationTokenRegistration _callerCancellation;
    private GrpcStatus? _status;
    private Metadata _trailers = Metadata.Empty;
    private GrpcException? _failure;
    private bool _writesCompleted;
    private bool _disposed;

    public GrpcCall(GrpcConnection connection, string method, CallOptions options, DuplexContent? duplexContent)
    {
        _connection = connection;
        _method = method;
        _options = options;
        _duplexContent = duplexContent;
    }

    public bool IsFinished
    {
        get
        {
            lock (_gate)
            {
                return _status is not null;
            }
        }
    }

    public GrpcStatus GetStatus()
    {
        lock (_gate)
        {
            return _status ?? throw NotFinished();
        }
    }

    public Metadata GetTrailers()
    {
        lock (_gate)
        {
            return _status is null ? throw NotFinished() : _trailers;
        }
    }

    public void Start(HttpContent content)
    {
        TimeSpan? timeout = null;
        if (_options.Deadline is { } deadline && deadline != DateTime.MaxValue)
        {
            timeout = deadline.ToUniversalTime() - DateTime.UtcNow;
            if (timeout <= TimeSpan.Zero)
            {
                content.Dispose();
                Abort(new GrpcStatus(StatusCode.DeadlineExceeded, "the deadline had already passed when the call started"));
                return;
            }
        }

        if (_options.CancellationToken.IsCancellationRequested)
        {
            content.Dispose();
            Abort(new GrpcStatus(StatusCode.Cancelled, "the call was cancelled before it started"));
            return;
        }

        Uri address = _connection.Address;
        var request = new HttpRequestMessage(HttpMethod.Post, new Uri(address, address.AbsolutePath.TrimEnd('/') + _method))
        {
            Version = HttpVersion.Version20,
            VersionPolicy = HttpVersionPolicy.RequestVersionExact,
            Content = content,
        };
        request.Headers.TE.Add(new TransferCodingWithQualityHeaderValue("trailers"));
        request.Headers.TryAddWithoutValidation("user-agent", GrpcConnection.UserAgent);
        request.Headers.TryAddWithoutValidation(GrpcProtocol.AcceptEncodingHeader, GrpcProtocol.AcceptEncodings);
        if (timeout is { } value)
        {
            request.Headers.TryAddWithoutValidation(GrpcProtocol.TimeoutHeader, GrpcProtocol.EncodeTimeout(value));
        }

        Metadata headers = _options.Headers ?? Metadata.Empty;
        foreach ((string key, string headerValue) in headers)
        {
            request.Headers.TryAddWithoutValidation(key, headerValue);
        }

        if (_connection.Logger is { } logger && logger.IsEnabled(LogLevel.Debug))
        {
            GrpcLog.CallStarting(logger, _method, address.Authority, string.Join(',', headers.Select(static h => h.Key).Distinct()));
        }

        _responseTask = _connection.Client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, _cts.Token);
        // CancellationTokenSource timers top out near 49 days; a deadline further away is only sent to the server.
        if (timeout is { } remaining && remaining < MaxLocalDeadline)
        {
            _deadlineTimer = new CancellationTokenSource(remaining);
            _deadlineTimer.Token.UnsafeRegister(
                static state => ((GrpcCall)state!).Abort(new GrpcStatus(StatusCode.DeadlineExceeded, "the deadline passed before the call completed")),
                this);
        }

        if (_options.CancellationToken.CanBeCanceled)
        {
            _callerCancellation = _options.CancellationToken.UnsafeRegister(
                static state => ((GrpcCall)state!).Abort(new GrpcStatus(StatusCode.Cancelled, "the call was cancelled by the caller")),
                this);
        }

        if (_duplexContent is not null)
        {
            // Writers wait for HttpClient to hand over the request stream; if the request fails first, they must not wait forever.
            _responseTask.ContinueWith(
                static (task, state) => ((GrpcCall)state!).RequestFailed(
                    task.Exception?.InnerException ?? new OperationCanceledException("the HTTP request was cancelled")),
                this,
                CancellationToken.None,
                TaskContinuationOptions.NotOnRanToCompletion | TaskContinuationOptions.ExecuteSynchronously,
                TaskScheduler.Default);
        }
    }

    /// <summary>The next response message; null once the call has ended with OK. Throws <see cref="GrpcException"/> otherwise.</summary>
    public async ValueTask<T?> ReadMessageAsync<T>(MessageParser<T> parser, CancellationToken cancellationToken)
        where T : class, IMessage<T>
    {
        if (IsFinished)
        {
            return Finished<T>();
        }

        CancellationTokenRegistration registration = cancellationToken.CanBeCanceled
            ? cancellationToken.UnsafeRegister(
                static state => ((GrpcCall)state!).Abort(new GrpcStatus(StatusCode.Cancelled, "reading the response was cancelled by the caller")),
                this)
            : default;
        try
        {
            MessageReader? reader = _reader ?? await OpenResponseAsync().ConfigureAwait(false);
            if (reader is null)
            {
                return Finished<T>();
            }

            T? message = await reader.ReadAsync(parser, _cts.Token).ConfigureAwait(false);
            if (message is not null)
            {
                return message;
            }

            await reader.CompleteAsync().ConfigureAwait(false);
            Complete(StatusFromTrailers(_response!), ToMetadata(_response!.TrailingHeaders));
            return Finished<T>();
        }
        catch (Exception ex) when (ex is not GrpcException || !IsFinished)
        {
            throw Abort(ex);
        }
        finally
        {
            await registration.DisposeAsync().ConfigureAwait(false);
        }
    }

    public async Task WriteAsync(IMessage message, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(message);
        Debug.Assert(_duplexContent is not null, "only duplex calls write messages");
        ThrowIfCannotWrite();

        byte[] frame = MessageFraming.RentFrame(message, _connection.Options.MaxSendMessageSize, out int frameLength);
        bool locked = false;
        CancellationTokenRegistration registration = default;
        try
        {
            await _writeLock.WaitAsync(cancellationToken).ConfigureAwait(false);
            locked = true;
            ThrowIfCannotWrite();

            // A write cancelled halfway leaves half a frame on the stream: it cancels the call, as in grpc-dotnet.
            registration = cancellationToken.UnsafeRegister(
                static state => ((GrpcCall)state!).Abort(new GrpcStatus(StatusCode.Cancelled, "writing a request message was cancelled by the caller")),
                this);
            Stream stream = await _duplexContent.StreamAsync.ConfigureAwait(false);
            await stream.WriteAsync(frame.AsMemory(0, frameLength), _cts.Token).ConfigureAwait(false);
            await stream.FlushAsync(_cts.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!locked)
        {
            throw new GrpcException(new GrpcStatus(StatusCode.Cancelled, "writing a request message was cancelled by the caller before it started"));
        }
        // InvalidOperationException is this call's own "cannot write" (ThrowIfCannotWrite); ObjectDisposedException,
        // though derived from it, is the HTTP/2 stream gone under the write (the server ended the call meanwhile).
        catch (Exception ex) when (ex is not GrpcException && (ex is ObjectDisposedException || ex is not InvalidOperationException))
        {
            throw WriteFailed(ex);
        }
        finally
        {
            await registration.DisposeAsync().ConfigureAwait(false);
            if (locked)
            {
                _writeLock.Release();
            }

            ArrayPool<byte>.Shared.Return(frame);
        }
    }

    /// <summary>Half-closes: the server sees the end of the request messages. Later writes throw.</summary>
    public void CompleteWrites()
    {
        lock (_gate)
        {
            _writesCompleted = true;
        }

        _duplexContent?.Complete();
    }

    /// <summary>Ends the call with a status decided on this side (unless it already has one) and resets the HTTP/2 stream.</summary>
    public GrpcException Abort(GrpcStatus status, Exception? cause = null)
    {
        return Abort(new GrpcException(status, null, cause));
    }

    public void Dispose()
    {
        lock (_gate)
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
        }

        Abort(new GrpcStatus(StatusCode.Cancelled, "the call was disposed before it completed"));
        _callerCancellation.Dispose();
        _deadlineTimer?.Dispose();
        _responseTask?.ContinueWith(
            static task =>
            {
                // Dispose the response whenever it turns up, and observe a failure nobody else may read.
                if (task.IsCompletedSuccessfully)
                {
                    task.Result.Dispose();
                }
                else
                {
                    _ = task.Exception;
                }
            },
            CancellationToken.None,
            TaskContinuationOptions.ExecuteSynchronously,
            TaskScheduler.Default);
    }

    private GrpcException Abort(Exception ex)
    {
        GrpcException failure;
        bool decided;
        lock (_gate)
        {
            decided = _status is null;
            if (decided)
            {
                GrpcException mapped = ex as GrpcException ?? Map(ex);
                _status = mapped.Status;
                _trailers = mapped.Trailers;
                _failure = mapped;
            }

            // The status may have been OK already; an exception after that is a local failure the status cannot show.
            failure = _failure ?? (ex as GrpcException ?? Map(ex));
        }

        if (decided)
        {
            Log(failure.Status);
            _duplexContent?.Abort(failure);
            _cts.Cancel();
        }

        return failure;
    }

    private void Complete(GrpcStatus status, Metadata trailers)
    {
        lock (_gate)
        {
            if (_status is not null)
            {
                return;
            }

            _status = status;
            _trailers = trailers;
            _failure = status.StatusCode == StatusCode.OK ? null : new GrpcException(status, trailers);
        }

        Log(status);

        // Whatever the client still had to say, the call is over; end the request body without resetting the stream.
        _duplexContent?.Complete();
    }

    private async Task<MessageReader?> OpenResponseAsync()
    {
        HttpResponseMessage response = await _responseTask!.ConfigureAwait(false);
        _response = response;
        if (StatusFromHeaders(response) is { } headerStatus)
        {
            Complete(headerStatus, ToMetadata(response.Headers));
            return null;
        }

        string? encoding = GetHeader(response.Headers, GrpcProtocol.EncodingHeader);
        Stream body = await response.Content.ReadAsStreamAsync(_cts.Token).ConfigureAwait(false);
        _reader = new MessageReader(PipeReader.Create(body, PipeOptions), _connection.Options.MaxReceiveMessageSize, encoding);
        return _reader;
    }

    /// <summary>A status decided by the response headers alone: an HTTP error, a non-gRPC response, or trailers-only.</summary>
    private static GrpcStatus? StatusFromHeaders(HttpResponseMessage response)
    {
        if (response.StatusCode != HttpStatusCode.OK)
        {
            return new GrpcStatus(
                GrpcProtocol.FromHttpStatus(response.StatusCode),
                $"the server answered HTTP {(int)response.StatusCode} {response.ReasonPhrase} instead of a gRPC response");
        }

        string? contentType = response.Content.Headers.ContentType?.MediaType;
        if (!GrpcProtocol.IsGrpcContentType(contentType))
        {
            return new GrpcStatus(
                GrpcProtocol.FromHttpStatus(response.StatusCode),
                $"the server answered with content-type '{contentType}' instead of {GrpcProtocol.ContentType}; it is not a gRPC endpoint");
        }

        return GrpcProtocol.ParseStatus(GetHeader(response.Headers, GrpcProtocol.StatusHeader), GetHeader(response.Headers, GrpcProtocol.MessageHeader));
    }

    private static GrpcStatus StatusFromTrailers(HttpResponseMessage response)
    {
        HttpResponseHeaders trailers = response.TrailingHeaders;
        return GrpcProtocol.ParseStatus(GetHeader(trailers, GrpcProtocol.StatusHeader), GetHeader(trailers, GrpcProtocol.MessageHeader))
            ?? new GrpcStatus(StatusCode.Internal, "the server ended the response without a grpc-status trailer");
    }

    private T? Finished<T>()
        where T : class
    {
        lock (_gate)
        {
            return _failure is null ? null : throw _failure;
        }
    }

    private void ThrowIfCannotWrite()
    {
        lock (_gate)
        {
            if (_writesCompleted)
            {
                throw new InvalidOperationException("the request stream was completed; no more messages can be written");
            }

            if (_failure is not null)
            {
                throw _failure;
            }

            if (_status is not null)
            {
                throw new InvalidOperationException("the call has completed; no more messages can be written");
            }
        }
    }

    private GrpcException WriteFailed(Exception ex)
    {
        lock (_gate)
        {
            if (_failure is not null)
            {
                return _failure;
            }
        }

        // The HTTP/2 stream is gone, but the response may still hold messages and the real status: the reader reports
        // those, so the call itself is not ended here.
        GrpcException mapped = Map(ex);
        return new GrpcException(
            new GrpcStatus(mapped.StatusCode, $"writing a request message failed ({mapped.Detail}); read the response stream for the call's status"),
            null,
            ex);
    }

    private void RequestFailed(Exception ex)
    {
        GrpcException failure;
        lock (_gate)
        {
            failure = _failure ?? Map(ex);
        }

        _duplexContent?.Abort(failure);
    }

    private static GrpcException Map(Exception ex)
    {
        for (Exception? current = ex; current is not null; current = current.InnerException)
        {
            switch (current)
            {
                case GrpcException grpc:
                    return grpc;
                case HttpProtocolException protocol:
                    return new GrpcException(
                        new GrpcStatus(
                            GrpcProtocol.FromHttp2ErrorCode(protocol.ErrorCode),
                            $"the HTTP/2 stream was reset with {GrpcProtocol.Http2ErrorName(protocol.ErrorCode)}: {protocol.Message}"),
                        null,
                        ex);
            }
        }

        return ex switch
        {
            HttpRequestException or IOException => new GrpcException(
                new GrpcStatus(StatusCode.Unavailable, $"the connection failed: {Describe(ex)}"), null, ex),
            OperationCanceledException => new GrpcException(new GrpcStatus(StatusCode.Cancelled, "the HTTP request was cancelled"), null, ex),
            _ => new GrpcException(new GrpcStatus(StatusCode.Unknown, $"the call failed unexpectedly: {Describe(ex)}"), null, ex),
        };
    }

    private static string Describe(Exception ex)
    {
        string text = ex.Message;
        for (Exception? inner = ex.InnerException; inner is not null; inner = inner.InnerException)
        {
            text += " -> " + inner.Message;
        }

        return text;
    }

    private static string? GetHeader(HttpHeaders headers, string name)
    {
        return headers.NonValidated.TryGetValues(name, out HeaderStringValues values) ? values.ToString() : null;
    }

    private static Metadata ToMetadata(HttpHeaders headers)
    {
        return Metadata.FromReceived(headers.NonValidated.SelectMany(
            static header => header.Value.Select(value => new KeyValuePair<string, string>(header.Key, value))));
    }

    private void Log(GrpcStatus status)
    {
        if (_connection.Logger is not { } logger)
        {
            return;
        }

        if (status.StatusCode == StatusCode.OK)
        {
            GrpcLog.CallFinished(logger, _method, status.StatusCode);
        }
        else
        {
            GrpcLog.CallFailed(logger, _method, status.StatusCode, status.Detail);
        }
    }

    private static InvalidOperationException NotFinished()
    {
        return new InvalidOperationException("the call has not finished yet: read the response stream to its end first");
    }
}
