using System.Net;
using System.Net.Http.Headers;

namespace AccountGrains.Grpc.Internal;

/// <summary>
/// A request body that stays open: HttpClient hands over the HTTP/2 request stream, the call writes (and flushes)
/// each message to it, and the body ends when the call completes it.
/// </summary>
internal sealed class DuplexContent : HttpContent
{
    private readonly TaskCompletionSource<Stream> _stream = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _done = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public DuplexContent()
    {
        Headers.ContentType = new MediaTypeHeaderValue(GrpcProtocol.ContentType);
    }

    /// <summary>The request stream, once HttpClient has started sending the body; faults if the call ended first.</summary>
    public Task<Stream> StreamAsync => _stream.Task;

    /// <summary>Ends the body normally: the server sees the end of the client's messages (half-close).</summary>
    public void Complete()
    {
        _done.TrySetResult();
        _stream.TrySetException(new InvalidOperationException("the request stream is complete or the call has ended; no more messages can be written"));
        Observe();
    }

    /// <summary>Ends the body abnormally; the HTTP/2 stream is reset if it is still open.</summary>
    public void Abort(Exception reason)
    {
        _stream.TrySetException(reason);
        _done.TrySetException(reason);
        Observe();
    }

    protected override Task SerializeToStreamAsync(Stream stream, TransportContext? context)
    {
        return SerializeToStreamAsync(stream, context, CancellationToken.None);
    }

    protected override async Task SerializeToStreamAsync(Stream stream, TransportContext? context, CancellationToken cancellationToken)
    {
        // HttpClient holds the HEADERS frame back until the body writes something; a call whose client has nothing to
        // say yet (or a server that answers first) would otherwise never reach the server. Flush before anyone writes.
        try
        {
            await stream.FlushAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            Abort(ex);
            throw;
        }

        _stream.TrySetResult(stream);

        // HttpClient cancels the request body once the response has ended: there is nothing left to send then.
        await using CancellationTokenRegistration registration = cancellationToken.UnsafeRegister(
            static state => ((TaskCompletionSource)state!).TrySetResult(), _done);
        await _done.Task.ConfigureAwait(false);
    }

    // Nobody may await these after the call ended; reading Exception keeps them out of UnobservedTaskException.
    private void Observe()
    {
        _ = _stream.Task.Exception;
        _ = _done.Task.Exception;
    }

    protected override bool TryComputeLength(out long length)
    {
        length = -1;
        return false;
    }
}
