using System.Diagnostics.Metrics;

namespace AccountGrains.Gateway.Diagnostics;

/// <summary>The gateway's instruments, on the <c>AccountGrains.Gateway</c> meter.</summary>
public sealed class GatewayMetrics : IDisposable
{
    public const string MeterName = "AccountGrains.Gateway";

    private readonly Meter _meter;
    private readonly UpDownCounter<long> _connections;
    private readonly UpDownCounter<long> _upstreamSubscriptions;
    private readonly Counter<long> _messagesSent;
    private readonly Counter<long> _errorsSent;
    private readonly Counter<long> _slowClientsClosed;

    public GatewayMetrics(IMeterFactory meterFactory)
    {
        ArgumentNullException.ThrowIfNull(meterFactory);
        _meter = meterFactory.Create(MeterName);
        _connections = _meter.CreateUpDownCounter<long>("accountgrains.gateway.connections", description: "Open WebSocket connections");
        _upstreamSubscriptions = _meter.CreateUpDownCounter<long>("accountgrains.gateway.stream_subscriptions", description: "Streams this gateway subscribes to (one per key), by kind (accounts, wallets)");
        _messagesSent = _meter.CreateCounter<long>("accountgrains.gateway.messages_sent", description: "WebSocket messages sent");
        _errorsSent = _meter.CreateCounter<long>("accountgrains.gateway.errors_sent", description: "Protocol errors answered, by code");
        _slowClientsClosed = _meter.CreateCounter<long>("accountgrains.gateway.slow_clients_closed", description: "Sockets closed because their send queue overflowed");
    }

    internal void ConnectionOpened() => _connections.Add(1);

    internal void ConnectionClosed() => _connections.Add(-1);

    internal void UpstreamSubscriptionOpened(string kind) => _upstreamSubscriptions.Add(1, new KeyValuePair<string, object?>("kind", kind));

    internal void UpstreamSubscriptionClosed(string kind) => _upstreamSubscriptions.Add(-1, new KeyValuePair<string, object?>("kind", kind));

    internal void MessageSent() => _messagesSent.Add(1);

    internal void ErrorSent(string code) => _errorsSent.Add(1, new KeyValuePair<string, object?>("code", code));

    internal void SlowClientClosed() => _slowClientsClosed.Add(1);

    public void Dispose() => _meter.Dispose();
}
