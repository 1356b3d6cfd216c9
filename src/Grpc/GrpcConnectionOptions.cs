using System.Net.Security;

using Microsoft.Extensions.Logging;

namespace AccountGrains.Grpc;

/// <summary>Settings of a <see cref="GrpcConnection"/>; read once, when the connection is created.</summary>
public sealed class GrpcConnectionOptions
{
    /// <summary>The default for <see cref="MaxReceiveMessageSize"/>: 64 MiB (Geyser block updates can be large).</summary>
    public const int DefaultMaxReceiveMessageSize = 64 * 1024 * 1024;

    /// <summary>Largest message accepted from the server, after decompression; larger ones fail the call with RESOURCE_EXHAUSTED.</summary>
    public int MaxReceiveMessageSize { get; set; } = DefaultMaxReceiveMessageSize;

    /// <summary>Largest message the client sends; null means no limit. A larger one fails the write with RESOURCE_EXHAUSTED.</summary>
    public int? MaxSendMessageSize { get; set; }

    /// <summary>How often to send HTTP/2 keep-alive pings; <see cref="Timeout.InfiniteTimeSpan"/> (the default) sends none.</summary>
    public TimeSpan KeepAlivePingDelay { get; set; } = Timeout.InfiniteTimeSpan;

    /// <summary>How long to wait for a keep-alive ping's answer before the connection is closed.</summary>
    public TimeSpan KeepAlivePingTimeout { get; set; } = TimeSpan.FromSeconds(20);

    /// <summary>Whether to ping only while calls are open (the default) or always.</summary>
    public HttpKeepAlivePingPolicy KeepAlivePingPolicy { get; set; } = HttpKeepAlivePingPolicy.WithActiveRequests;

    /// <summary>How long establishing a connection (TCP and TLS) may take.</summary>
    public TimeSpan ConnectTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Open another HTTP/2 connection when the server's stream limit is reached.</summary>
    public bool EnableMultipleHttp2Connections { get; set; } = true;

    /// <summary>The initial HTTP/2 stream receive window in bytes; null keeps the .NET default (which then grows dynamically).</summary>
    public int? InitialHttp2StreamWindowSize { get; set; }

    /// <summary>Validates the server's certificate for https:// addresses; null uses the system's trust store.</summary>
    public RemoteCertificateValidationCallback? RemoteCertificateValidationCallback { get; set; }

    /// <summary>Receives call start/end lines (method names, metadata keys, status codes; never metadata values).</summary>
    public ILogger? Logger { get; set; }
}
