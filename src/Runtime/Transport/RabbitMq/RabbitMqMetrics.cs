using System.Diagnostics.Metrics;

namespace AccountGrains.Runtime.Transport.RabbitMq;

/// <summary>The RabbitMQ transport's instruments, on the <c>AccountGrains.Runtime</c> meter.</summary>
public sealed class RabbitMqMetrics : IDisposable
{
    public const string MeterName = "AccountGrains.Runtime";

    private readonly Meter _meter;
    private readonly bool _ownsMeter;
    private readonly Counter<long> _published;
    private readonly Counter<long> _acked;
    private readonly Counter<long> _redelivered;
    private readonly Counter<long> _reconnects;

    /// <summary>Instruments on <paramref name="meterFactory"/>'s meter, or on a meter of their own when it is null (tests, tools).</summary>
    public RabbitMqMetrics(IMeterFactory? meterFactory = null)
    {
        _ownsMeter = meterFactory is null;
        _meter = meterFactory?.Create(MeterName) ?? new Meter(MeterName);
        _published = _meter.CreateCounter<long>("accountgrains.rabbitmq.published", description: "Messages published and confirmed by the broker");
        _acked = _meter.CreateCounter<long>("accountgrains.rabbitmq.acked", description: "Messages handled and acknowledged");
        _redelivered = _meter.CreateCounter<long>("accountgrains.rabbitmq.redelivered", description: "Messages received again after a failed handler, a stopped consumer or a crash");
        _reconnects = _meter.CreateCounter<long>("accountgrains.rabbitmq.reconnects", description: "Connections to RabbitMQ recovered after a loss");
    }

    internal void Published(int count) => _published.Add(count);

    internal void Acked() => _acked.Add(1);

    internal void Redelivered() => _redelivered.Add(1);

    internal void Reconnected() => _reconnects.Add(1);

    public void Dispose()
    {
        if (_ownsMeter)
        {
            _meter.Dispose();
        }
    }
}
