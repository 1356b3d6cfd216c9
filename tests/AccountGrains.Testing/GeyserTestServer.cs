using System.Collections.Concurrent;
using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

using AccountGrains.Grpc;

using Geyser;

using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace AccountGrains.Testing;

/// <summary>
/// A hand-written stand-in for a Yellowstone Geyser server on Kestrel: HTTP/2 only, on 127.0.0.1 with a free port,
/// cleartext (h2c) and optionally TLS with a self-signed certificate. Each method's behaviour is scripted per test.
/// </summary>
public sealed class GeyserTestServer : IAsyncDisposable
{
    public const string Ping = "/geyser.Geyser/Ping";
    public const string GetSlot = "/geyser.Geyser/GetSlot";
    public const string GetVersion = "/geyser.Geyser/GetVersion";
    public const string Subscribe = "/geyser.Geyser/Subscribe";
    public const ulong DefaultSlot = 287_654_321;

    private readonly ConcurrentDictionary<string, Func<ServerCall, Task>> _handlers = new();
    private readonly ConcurrentDictionary<string, ConnectionContext> _connections = new();
    private readonly ConcurrentQueue<ServerCall> _calls = new();
    private readonly ConcurrentQueue<Exception> _handlerErrors = new();
    private WebApplication? _app;

    private GeyserTestServer()
    {
        Handle(Ping, async call =>
        {
            PingRequest request = (await call.ReadAsync(PingRequest.Parser))!;
            await call.WriteAsync(new PongResponse { Count = request.Count });
        });
        Handle(GetSlot, async call =>
        {
            _ = await call.ReadAsync(GetSlotRequest.Parser);
            await call.WriteAsync(new GetSlotResponse { Slot = DefaultSlot });
        });
    }

    public Uri HttpAddress { get; private set; } = null!;

    public Uri? HttpsAddress { get; private set; }

    public X509Certificate2? Certificate { get; private set; }

    public IReadOnlyCollection<ServerCall> Calls => _calls;

    public IReadOnlyCollection<Exception> HandlerErrors => _handlerErrors;

    public static async Task<GeyserTestServer> StartAsync(bool https = false)
    {
        var server = new GeyserTestServer();
        if (https)
        {
            server.Certificate = CreateSelfSignedCertificate();
        }

        WebApplicationBuilder builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.Limits.MinRequestBodyDataRate = null;
            kestrel.Limits.MinResponseDataRate = null;
            kestrel.Listen(IPAddress.Loopback, 0, listen =>
            {
                listen.Protocols = HttpProtocols.Http2;
                listen.Use(server.TrackConnection);
            });
            if (server.Certificate is { } certificate)
            {
                kestrel.Listen(IPAddress.Loopback, 0, listen =>
                {
                    listen.Protocols = HttpProtocols.Http2;
                    listen.Use(server.TrackConnection);
                    listen.UseHttps(certificate);
                });
            }
        });

        WebApplication app = builder.Build();
        app.Run(server.DispatchAsync);
        await app.StartAsync();
        server._app = app;

        ICollection<string> addresses = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses;
        server.HttpAddress = new Uri(addresses.Single(a => a.StartsWith("http://", StringComparison.Ordinal)));
        string? secure = addresses.SingleOrDefault(a => a.StartsWith("https://", StringComparison.Ordinal));
        server.HttpsAddress = secure is null ? null : new Uri(secure);
        return server;
    }

    /// <summary>Replaces what the server does for one method path.</summary>
    public GeyserTestServer Handle(string method, Func<ServerCall, Task> handler)
    {
        _handlers[method] = handler;
        return this;
    }

    public void DropConnection(string connectionId)
    {
        if (_connections.TryGetValue(connectionId, out ConnectionContext? connection))
        {
            connection.Abort(new ConnectionAbortedException("dropped by the test"));
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_app is not null)
        {
            using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(5));
            await _app.StopAsync(stop.Token);
            await _app.DisposeAsync();
        }

        Certificate?.Dispose();
    }

    private ConnectionDelegate TrackConnection(ConnectionDelegate next)
    {
        return async connection =>
        {
            _connections[connection.ConnectionId] = connection;
            try
            {
                await next(connection);
            }
            finally
            {
                _connections.TryRemove(connection.ConnectionId, out _);
            }
        };
    }

    private async Task DispatchAsync(HttpContext context)
    {
        var call = new ServerCall(context, this);
        _calls.Enqueue(call);
        context.Response.ContentType = "application/grpc";
        if (!_handlers.TryGetValue(call.Method, out Func<ServerCall, Task>? handler))
        {
            call.TrailersOnly(StatusCode.Unimplemented, $"{call.Method} is not implemented by the test server");
            return;
        }

        try
        {
            await handler(call);
        }
        catch (Exception) when (call.Aborted.IsCancellationRequested || call.Dropped)
        {
            return;
        }
        catch (Exception ex)
        {
            _handlerErrors.Enqueue(ex);
            throw;
        }

        if (!call.StatusSent && !call.OmitStatus && !call.Dropped && !call.Aborted.IsCancellationRequested)
        {
            call.EndWithStatus(StatusCode.OK);
        }
    }

    private static X509Certificate2 CreateSelfSignedCertificate()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=localhost", key, HashAlgorithmName.SHA256);
        var names = new SubjectAlternativeNameBuilder();
        names.AddIpAddress(IPAddress.Loopback);
        names.AddDnsName("localhost");
        request.CertificateExtensions.Add(names.Build());
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, critical: true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], critical: false));
        DateTimeOffset now = DateTimeOffset.UtcNow;
        return request.CreateSelfSigned(now.AddDays(-1), now.AddDays(1));
    }
}
