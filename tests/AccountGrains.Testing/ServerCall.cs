using System.Globalization;

using AccountGrains.Grpc;

using Google.Protobuf;

using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;

namespace AccountGrains.Testing;

/// <summary>One call as the test server sees it; a test's handler scripts what the server does with it.</summary>
public sealed class ServerCall
{
    private readonly HttpContext _context;
    private readonly GeyserTestServer _server;
    private readonly TaskCompletionSource _clientGone = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private bool _headersSent;

    public ServerCall(HttpContext context, GeyserTestServer server)
    {
        _context = context;
        _server = server;
        Method = context.Request.Path.Value ?? string.Empty;
        ConnectionId = context.Connection.Id;
        RequestHeaders = context.Request.Headers.ToDictionary(h => h.Key.ToLowerInvariant(), h => h.Value.ToString());
        context.RequestAborted.Register(() => _clientGone.TrySetResult());

        // A Subscribe stream is long-lived: no body size limit.
        context.Features.Get<IHttpMaxRequestBodySizeFeature>()!.MaxRequestBodySize = null;
    }

    public string Method { get; }

    public string ConnectionId { get; }

    /// <summary>The request headers as received (a copy: Kestrel recycles its own).</summary>
    public IReadOnlyDictionary<string, string> RequestHeaders { get; }

    public CancellationToken Aborted => _context.RequestAborted;

    public HttpResponse Response => _context.Response;

    /// <summary>Set before the first write to announce compressed messages.</summary>
    public string? ResponseEncoding { get; set; }

    /// <summary>Set to end the response without grpc-status trailers.</summary>
    public bool OmitStatus { get; set; }

    internal bool StatusSent { get; private set; }

    internal bool Dropped { get; private set; }

    public Task<T?> ReadAsync<T>(MessageParser<T> parser)
        where T : class, IMessage<T>
    {
        return TestFraming.ReadAsync(_context.Request.BodyReader, parser, Aborted);
    }

    public Task WriteAsync(IMessage message, bool gzip = false)
    {
        return WriteRawAsync(TestFraming.Frame(message, gzip));
    }

    public async Task WriteRawAsync(byte[] bytes)
    {
        SendHeaders();
        await _context.Response.Body.WriteAsync(bytes, Aborted);
        await _context.Response.Body.FlushAsync(Aborted);
    }

    /// <summary>Sends the response headers now (an empty DATA-less start), as servers do before their first message.</summary>
    public async Task StartAsync()
    {
        SendHeaders();
        await _context.Response.StartAsync(Aborted);
    }

    public void EndWithStatus(StatusCode code, string? message = null, params (string Key, string Value)[] trailers)
    {
        _context.Response.AppendTrailer("grpc-status", ((int)code).ToString(CultureInfo.InvariantCulture));
        if (message is not null)
        {
            _context.Response.AppendTrailer("grpc-message", TestFraming.PercentEncode(message));
        }

        foreach ((string key, string value) in trailers)
        {
            _context.Response.AppendTrailer(key, value);
        }

        StatusSent = true;
    }

    /// <summary>A response of headers only, status included (what servers send when they fail before any message).</summary>
    public void TrailersOnly(StatusCode code, string? message = null)
    {
        SendHeaders();
        _context.Response.Headers["grpc-status"] = ((int)code).ToString(CultureInfo.InvariantCulture);
        if (message is not null)
        {
            _context.Response.Headers["grpc-message"] = TestFraming.PercentEncode(message);
        }

        StatusSent = true;
    }

    /// <summary>Resets this HTTP/2 stream (RST_STREAM), leaving the connection up.</summary>
    public void AbortStream()
    {
        Dropped = true;
        _context.Abort();
    }

    /// <summary>Closes the whole TCP connection under the call.</summary>
    public void DropConnection()
    {
        Dropped = true;
        _server.DropConnection(_context.Connection.Id);
    }

    /// <summary>Completes once the client has gone (reset, cancel, or disconnect).</summary>
    public Task ClientGone => _clientGone.Task;

    private void SendHeaders()
    {
        if (_headersSent)
        {
            return;
        }

        _headersSent = true;
        if (ResponseEncoding is not null)
        {
            _context.Response.Headers["grpc-encoding"] = ResponseEncoding;
        }
    }
}
