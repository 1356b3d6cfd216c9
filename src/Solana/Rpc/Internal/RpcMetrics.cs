using System.Diagnostics.Metrics;

namespace AccountGrains.Solana.Rpc.Internal;

/// <summary>The instruments of meter "AccountGrains.Solana.Rpc", in one place.</summary>
internal sealed class RpcMetrics
{
    public const string MeterName = "AccountGrains.Solana.Rpc";

    private static readonly Lazy<RpcMetrics> Shared = new(() => new RpcMetrics(new Meter(MeterName)));

    private readonly Counter<long> _requests;
    private readonly Counter<long> _retries;
    private readonly Histogram<double> _duration;
    private readonly Counter<long> _notifications;
    private readonly Counter<long> _malformed;

    private RpcMetrics(Meter meter)
    {
        _requests = meter.CreateCounter<long>("accountgrains.rpc.requests", "{request}", "Solana JSON-RPC calls by method and outcome");
        _retries = meter.CreateCounter<long>("accountgrains.rpc.retries", "{retry}", "Solana JSON-RPC attempts retried, by method and reason");
        _duration = meter.CreateHistogram<double>("accountgrains.rpc.duration", "s", "Solana JSON-RPC call time, retries included");
        _notifications = meter.CreateCounter<long>("accountgrains.rpc.pubsub.notifications", "{notification}", "Solana PubSub notifications received, by kind");
        _malformed = meter.CreateCounter<long>("accountgrains.rpc.pubsub.malformed_messages", "{message}", "Solana PubSub messages ignored as malformed");
    }

    public static RpcMetrics Create(IMeterFactory? factory)
    {
        return factory is null ? Shared.Value : new RpcMetrics(factory.Create(MeterName));
    }

    public void Request(string method, string outcome, double seconds)
    {
        var methodTag = new KeyValuePair<string, object?>("method", method);
        _requests.Add(1, methodTag, new KeyValuePair<string, object?>("outcome", outcome));
        _duration.Record(seconds, methodTag);
    }

    public void Retry(string method, string reason)
    {
        _retries.Add(1, new KeyValuePair<string, object?>("method", method), new KeyValuePair<string, object?>("reason", reason));
    }

    public void Notification(string kind)
    {
        _notifications.Add(1, new KeyValuePair<string, object?>("kind", kind));
    }

    public void Malformed()
    {
        _malformed.Add(1);
    }
}
