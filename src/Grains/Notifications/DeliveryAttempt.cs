using System.Net;
using System.Net.Http.Headers;
using System.Text;

namespace AccountGrains.Grains.Notifications;

/// <summary>How one POST to a sink went.</summary>
/// <param name="Delivered">The sink answered 2xx.</param>
/// <param name="Retryable">Worth trying again: network error, timeout, 408, 429 or 5xx.</param>
/// <param name="Error">What went wrong, one line (status, reason and the start of the answer), for dead letters.</param>
/// <param name="Reason">Metric tag: <c>timeout</c>, <c>network</c> or <c>http_&lt;status&gt;</c>.</param>
/// <param name="RetryAfter">The sink's <c>Retry-After</c> on 429 or 503, when it sent one.</param>
internal readonly record struct DeliveryResult(bool Delivered, bool Retryable, string Error, string Reason, TimeSpan? RetryAfter)
{
    public static readonly DeliveryResult Success = new(true, false, string.Empty, "delivered", null);
}

/// <summary>Sends one notification once, within the per-delivery timeout, and says what happened. Never throws but on <c>stopping</c>.</summary>
internal sealed class DeliveryAttempt(IHttpClientFactory httpClients, TimeSpan timeout, TimeProvider time)
{
    public const string DeliveryHeader = "X-AccountGrains-Delivery";
    private const int MaxErrorBodyBytes = 300;
    private static readonly MediaTypeHeaderValue Json = new("application/json");
    private static readonly ProductInfoHeaderValue UserAgent = new("AccountGrains", "1.0");

    public async Task<DeliveryResult> SendAsync(SinkNotification notification, CancellationToken stopping)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, notification.Sink.Url) { Content = new ByteArrayContent(notification.Body) };
        request.Content.Headers.ContentType = Json;
        request.Headers.UserAgent.Add(UserAgent);
        request.Headers.Add(DeliveryHeader, notification.DeliveryId);
        if (notification.Sink is { Kind: NotificationSink.Webhook, Secret: { Length: > 0 } secret })
        {
            request.Headers.Add(WebhookSignature.Header, WebhookSignature.Compute(secret, notification.Body));
        }

        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(stopping);
        deadline.CancelAfter(timeout);
        try
        {
            var http = httpClients.CreateClient(NotificationDispatcher.HttpClientName);
            using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, deadline.Token).ConfigureAwait(false);
            return response.IsSuccessStatusCode ? DeliveryResult.Success : await FailureAsync(response, deadline.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!stopping.IsCancellationRequested)
        {
            return new(false, true, $"no answer within {timeout.TotalSeconds:0.###} s", "timeout", null);
        }
        catch (HttpRequestException e)
        {
            return new(false, true, $"network error: {e.Message}", "network", null);
        }
    }

    private async Task<DeliveryResult> FailureAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        var status = (int)response.StatusCode;
        var retryable = status is 408 or 429 or >= 500;
        var error = new StringBuilder().Append("HTTP ").Append(status);
        if (!string.IsNullOrEmpty(response.ReasonPhrase))
        {
            error.Append(' ').Append(response.ReasonPhrase);
        }

        if (status is >= 300 and < 400)
        {
            error.Append(" (redirects are not followed: configure the final URL)");
        }
        else if (await ReadStartAsync(response, cancellationToken).ConfigureAwait(false) is { Length: > 0 } answer)
        {
            error.Append(": ").Append(answer);
        }

        var retryAfter = response.StatusCode is HttpStatusCode.TooManyRequests or HttpStatusCode.ServiceUnavailable
            ? RetryAfter(response.Headers.RetryAfter)
            : null;
        return new(false, retryable, error.ToString(), $"http_{status}", retryAfter);
    }

    private TimeSpan? RetryAfter(RetryConditionHeaderValue? header) => header switch
    {
        { Delta: { } delta } => delta,
        { Date: { } date } => date - time.GetUtcNow() is var wait && wait > TimeSpan.Zero ? wait : TimeSpan.Zero,
        _ => null,
    };

    /// <summary>The start of the answer's body, one line: receivers often say there what they disliked.</summary>
    private static async Task<string> ReadStartAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        try
        {
            var stream = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
            await using (stream.ConfigureAwait(false))
            {
                var buffer = new byte[MaxErrorBodyBytes];
                var read = await stream.ReadAtLeastAsync(buffer, buffer.Length, throwOnEndOfStream: false, cancellationToken).ConfigureAwait(false);
                return Encoding.UTF8.GetString(buffer, 0, read).ReplaceLineEndings(" ").Trim();
            }
        }
        catch (Exception e) when (e is HttpRequestException or IOException or OperationCanceledException)
        {
            return string.Empty;
        }
    }
}
