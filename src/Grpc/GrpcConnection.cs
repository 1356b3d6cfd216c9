using System.Net;
using System.Net.Http.Headers;
using System.Net.Security;

using AccountGrains.Grpc.Internal;

using Google.Protobuf;

using Microsoft.Extensions.Logging;

namespace AccountGrains.Grpc;

/// <summary>
/// A gRPC channel to one server over one <see cref="HttpClient"/> (HTTP/2 only): https:// with ALPN, or cleartext
/// http:// with prior knowledge (h2c). Thread-safe; create one per endpoint and reuse it for every call.
/// </summary>
public sealed class GrpcConnection : IDisposable
{
    internal const string UserAgent = "accountgrains-grpc/1.0";

    private readonly HttpClient _client;
    private bool _disposed;

    public GrpcConnection(Uri address, GrpcConnectionOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(address);
        if (!address.IsAbsoluteUri || (address.Scheme != Uri.UriSchemeHttp && address.Scheme != Uri.UriSchemeHttps))
        {
            throw new ArgumentException($"'{address}' is not an absolute http:// or https:// address", nameof(address));
        }

        Options = options ?? new GrpcConnectionOptions();
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(Options.MaxReceiveMessageSize, nameof(options));
        Address = address;
        var handler = new SocketsHttpHandler
        {
            EnableMultipleHttp2Connections = Options.EnableMultipleHttp2Connections,
            KeepAlivePingDelay = Options.KeepAlivePingDelay,
            KeepAlivePingTimeout = Options.KeepAlivePingTimeout,
            KeepAlivePingPolicy = Options.KeepAlivePingPolicy,
            ConnectTimeout = Options.ConnectTimeout,
            AutomaticDecompression = DecompressionMethods.None,
            AllowAutoRedirect = false,
            UseCookies = false,
            UseProxy = false,
            PooledConnectionIdleTimeout = Timeout.InfiniteTimeSpan,
        };
        if (Options.InitialHttp2StreamWindowSize is { } window)
        {
            handler.InitialHttp2StreamWindowSize = window;
        }

        if (Options.RemoteCertificateValidationCallback is { } validate)
        {
            handler.SslOptions = new SslClientAuthenticationOptions { RemoteCertificateValidationCallback = validate };
        }

        _client = new HttpClient(handler, disposeHandler: true)
        {
            Timeout = Timeout.InfiniteTimeSpan,
            DefaultRequestVersion = HttpVersion.Version20,
            DefaultVersionPolicy = HttpVersionPolicy.RequestVersionExact,
        };
    }

    /// <summary>The server's address; a path in it prefixes every method path.</summary>
    public Uri Address { get; }

    internal GrpcConnectionOptions Options { get; }

    internal HttpClient Client => _client;

    internal ILogger? Logger => Options.Logger;

    /// <summary>
    /// A unary call: one request, one response. Throws <see cref="GrpcException"/> for any status but OK.
    /// </summary>
    /// <param name="method">The full method path, e.g. "/geyser.Geyser/Ping".</param>
    /// <param name="request">The request message.</param>
    /// <param name="options">Metadata, deadline and cancellation.</param>
    public async Task<TResponse> UnaryAsync<TRequest, TResponse>(string method, TRequest request, CallOptions options = default)
        where TRequest : class, IMessage<TRequest>
        where TResponse : class, IMessage<TResponse>, new()
    {
        ArgumentNullException.ThrowIfNull(request);
        ValidateMethod(method);
        ObjectDisposedException.ThrowIf(_disposed, this);

        var content = new ByteArrayContent(MessageFraming.CreateFrame(request, Options.MaxSendMessageSize));
        content.Headers.ContentType = new MediaTypeHeaderValue(GrpcProtocol.ContentType);
        using var call = new GrpcCall(this, method, options, duplexContent: null);
        call.Start(content);

        TResponse response = await call.ReadMessageAsync(Parsers<TResponse>.Parser, CancellationToken.None).ConfigureAwait(false)
            ?? throw call.Abort(new GrpcStatus(StatusCode.Internal, "the server ended a unary call with OK but sent no response message"));
        if (await call.ReadMessageAsync(Parsers<TResponse>.Parser, CancellationToken.None).ConfigureAwait(false) is not null)
        {
            throw call.Abort(new GrpcStatus(StatusCode.Internal, "the server sent more than one response message to a unary call"));
        }

        return response;
    }

    /// <summary>
    /// Starts a bidirectional streaming call (e.g. Geyser Subscribe). The request is sent at once; write with
    /// <see cref="DuplexCall{TRequest, TResponse}.RequestStream"/>, read with <see cref="DuplexCall{TRequest, TResponse}.ResponseStream"/>,
    /// and dispose the call to cancel it.
    /// </summary>
    /// <param name="method">The full method path, e.g. "/geyser.Geyser/Subscribe".</param>
    /// <param name="options">Metadata, deadline and cancellation.</param>
    public DuplexCall<TRequest, TResponse> Duplex<TRequest, TResponse>(string method, CallOptions options = default)
        where TRequest : class, IMessage<TRequest>
        where TResponse : class, IMessage<TResponse>, new()
    {
        ValidateMethod(method);
        ObjectDisposedException.ThrowIf(_disposed, this);

        var content = new DuplexContent();
        var call = new GrpcCall(this, method, options, content);
        call.Start(content);
        return new DuplexCall<TRequest, TResponse>(call, Parsers<TResponse>.Parser);
    }

    /// <summary>Closes the connections; calls still open fail.</summary>
    public void Dispose()
    {
        _disposed = true;
        _client.Dispose();
    }

    private static void ValidateMethod(string method)
    {
        ArgumentNullException.ThrowIfNull(method);
        if (method.Length < 4 || method[0] != '/' || method.IndexOf('/', 1) is var slash && (slash < 2 || slash == method.Length - 1))
        {
            throw new ArgumentException($"'{method}' is not a gRPC method path like /package.Service/Method", nameof(method));
        }
    }

    private static class Parsers<T>
        where T : class, IMessage<T>, new()
    {
        public static readonly MessageParser<T> Parser = new(static () => new T());
    }
}
