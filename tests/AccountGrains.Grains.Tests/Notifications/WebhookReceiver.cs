using System.Collections.Concurrent;
using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace AccountGrains.Grains.Tests.Notifications;

/// <summary>One request the receiver got, and what it answered.</summary>
public sealed record ReceivedRequest(string Path, IReadOnlyDictionary<string, string> Headers, byte[] Body, int Status)
{
    /// <summary>When the whole request had arrived.</summary>
    public DateTimeOffset ReceivedAt { get; init; } = DateTimeOffset.UtcNow;

    public string? Header(string name) => Headers.TryGetValue(name, out var value) ? value : null;

    public string Text => System.Text.Encoding.UTF8.GetString(Body);

    /// <summary>The <c>signature</c> of the JSON body (the transaction).</summary>
    public string? Signature => System.Text.Json.JsonDocument.Parse(Body).RootElement.GetProperty("signature").GetString();
}

/// <summary>A scripted answer: a status (with Retry-After), or no answer at all (<see cref="Hang"/>).</summary>
public sealed record ScriptedAnswer(int Status, string? RetryAfter = null, bool Hang = false, string Body = "")
{
    public static readonly ScriptedAnswer Ok = new(204);
    public static readonly ScriptedAnswer Hanging = new(0, Hang: true);
}

/// <summary>
/// A real HTTP receiver on Kestrel (127.0.0.1, a free port) standing in for webhook and Discord endpoints: records
/// every request, answers 204 unless scripted per path, and can go down (port closed) and come back on its port.
/// </summary>
public sealed class WebhookReceiver : IAsyncDisposable
{
    private readonly ConcurrentQueue<ReceivedRequest> _received = new();
    private readonly ConcurrentDictionary<string, ConcurrentQueue<ScriptedAnswer>> _scripts = new();
    private readonly ConcurrentDictionary<string, ScriptedAnswer> _always = new();
    private readonly CancellationTokenSource _stopping = new();
    private WebApplication? _app;

    public int Port { get; private set; }

    public IReadOnlyCollection<ReceivedRequest> Received => _received;

    public static async Task<WebhookReceiver> StartAsync()
    {
        var receiver = new WebhookReceiver();
        await receiver.ListenAsync(0);
        return receiver;
    }

    public string Url(string path) => $"http://127.0.0.1:{Port}{path}";

    /// <summary>Requests to <paramref name="path"/> that got a 2xx.</summary>
    public IReadOnlyList<ReceivedRequest> Accepted(string path) => [.. _received.Where(r => r.Path == path && r.Status is >= 200 and < 300)];

    /// <summary>Polls until <paramref name="count"/> requests to <paramref name="path"/> got a 2xx.</summary>
    public Task WaitForAcceptedAsync(string path, int count) =>
        Waits.UntilAsync(() => Accepted(path).Count >= count, $"{count} deliveries to {path} (have {Accepted(path).Count})");

    public IReadOnlyList<ReceivedRequest> All(string path) => [.. _received.Where(r => r.Path == path)];

    /// <summary>The next <paramref name="times"/> requests to <paramref name="path"/> get <paramref name="answer"/>.</summary>
    public void Script(string path, ScriptedAnswer answer, int times = 1)
    {
        var queue = _scripts.GetOrAdd(path, _ => new ConcurrentQueue<ScriptedAnswer>());
        for (var i = 0; i < times; i++)
        {
            queue.Enqueue(answer);
        }
    }

    /// <summary>Every request to <paramref name="path"/> gets <paramref name="answer"/> (after the scripted ones).</summary>
    public void Always(string path, ScriptedAnswer answer) => _always[path] = answer;

    /// <summary>Closes the port: connections are refused until <see cref="ComeBackAsync"/>.</summary>
    public async Task GoDownAsync()
    {
        if (_app is { } app)
        {
            _app = null;
            await app.StopAsync();
            await app.DisposeAsync();
        }
    }

    /// <summary>Listens again on the same port.</summary>
    public Task ComeBackAsync() => ListenAsync(Port);

    private async Task ListenAsync(int port)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, port, listen => listen.Protocols = HttpProtocols.Http1));
        builder.Services.Configure<Microsoft.Extensions.Hosting.HostOptions>(o => o.ShutdownTimeout = TimeSpan.FromSeconds(1));
        var app = builder.Build();
        app.Run(AnswerAsync);
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();
        Port = new Uri(address).Port;
        _app = app;
    }

    private async Task AnswerAsync(HttpContext context)
    {
        using var body = new MemoryStream();
        await context.Request.Body.CopyToAsync(body, context.RequestAborted);
        var path = context.Request.Path.Value ?? "/";
        var answer = _scripts.TryGetValue(path, out var script) && script.TryDequeue(out var next) ? next
            : _always.TryGetValue(path, out var always) ? always
            : ScriptedAnswer.Ok;
        var headers = context.Request.Headers.ToDictionary(h => h.Key, h => h.Value.ToString(), StringComparer.OrdinalIgnoreCase);
        _received.Enqueue(new ReceivedRequest(path, headers, body.ToArray(), answer.Hang ? 0 : answer.Status));
        if (answer.Hang)
        {
            using var both = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted, _stopping.Token);
            await Task.Delay(Timeout.Infinite, both.Token).ContinueWith(_ => { }, TaskScheduler.Default);
            return;
        }

        context.Response.StatusCode = answer.Status;
        if (answer.RetryAfter is { } retryAfter)
        {
            context.Response.Headers.RetryAfter = retryAfter;
        }

        if (answer.Body.Length > 0)
        {
            await context.Response.WriteAsync(answer.Body);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stopping.CancelAsync();
        await GoDownAsync();
        _stopping.Dispose();
    }
}
