using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace AccountGrains.Bench.Wallets;

/// <summary>
/// A webhook receiver on Kestrel (127.0.0.1, a free port) that answers 204 and reports the <c>signature</c>
/// of each body to the current round's <see cref="Arrivals"/>. It runs in the benchmark's process, on the same cores.
/// </summary>
internal sealed class WebhookCounter : IAsyncDisposable
{
    private readonly WebApplication _app;
    private Arrivals? _round;

    private WebhookCounter(WebApplication app)
    {
        _app = app;
        app.Run(AnswerAsync);
    }

    public string Url { get; private set; } = string.Empty;

    public static async Task<WebhookCounter> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        var counter = new WebhookCounter(builder.Build());
        await counter._app.StartAsync();
        counter.Url = $"{counter._app.Urls.Single()}/hook";
        return counter;
    }

    /// <summary>Deliveries from now on count for <paramref name="round"/>.</summary>
    public void CountFor(Arrivals? round) => Volatile.Write(ref _round, round);

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }

    private async Task AnswerAsync(HttpContext context)
    {
        using var body = new MemoryStream();
        await context.Request.Body.CopyToAsync(body, context.RequestAborted);
        context.Response.StatusCode = StatusCodes.Status204NoContent;
        using var document = JsonDocument.Parse(body.GetBuffer().AsMemory(0, (int)body.Length));
        if (document.RootElement.TryGetProperty("signature", out var signature) && signature.GetString() is { } text)
        {
            Volatile.Read(ref _round)?.Arrive(text);
        }
    }
}
