using System.Diagnostics;
using System.Diagnostics.Metrics;
using AccountGrains.Runtime.Tests.TestSupport;
using AccountGrains.Runtime.Transport.RabbitMq;
using Xunit.Abstractions;

namespace AccountGrains.Runtime.Tests.RabbitMq;

/// <summary>
/// 100k confirmed 200-byte publishes, the figure README reports; also checks the published/acked/redelivered
/// counters. The floor asserted is far below the measured rate: it catches a publisher that lost its batching
/// (one confirm round trip per message), not a slow machine.
/// </summary>
[Collection(RabbitMqTestGroup.Name)]
public sealed class PublishThroughputTests(ITestOutputHelper output)
{
    [RabbitMqFact]
    public Task Quorum_queues_take_100k_confirmed_messages() => MeasureAsync(RabbitMqQueueType.Quorum);

    [RabbitMqFact]
    public Task Classic_queues_take_100k_confirmed_messages() => MeasureAsync(RabbitMqQueueType.Classic);

    private async Task MeasureAsync(RabbitMqQueueType queueType)
    {
        const int count = 100_000;
        const int partitions = 4;
        await using var scope = await RabbitMqScope.StartAsync(queueType);
        var queues = await scope.PartitionsAsync(partitions);
        var body = new byte[200];
        Random.Shared.NextBytes(body);

        var clock = Stopwatch.StartNew();
        var publishes = new Task[count];
        for (var i = 0; i < count; i++)
        {
            publishes[i] = queues.PublishAsync(i % partitions, body);
        }

        await Task.WhenAll(publishes).WaitAsync(TimeSpan.FromMinutes(3));
        clock.Stop();
        var rate = count / clock.Elapsed.TotalSeconds;
        output.WriteLine($"{queueType}: {count} confirmed 200-byte publishes over {partitions} partitions in {clock.Elapsed.TotalSeconds:0.00} s = {rate:0} msg/s (batch {scope.Options.PublishBatchSize})");
        rate.Should().BeGreaterThan(2000);
    }

    [RabbitMqFact]
    public async Task Counters_follow_published_acked_and_redelivered_messages()
    {
        long published = 0, acked = 0, redelivered = 0;
        using var listener = new MeterListener();
        using var metrics = new RabbitMqMetrics();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Name == RabbitMqMetrics.MeterName && instrument.Name.StartsWith("accountgrains.rabbitmq.", StringComparison.Ordinal))
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<long>((instrument, value, _, _) =>
        {
            switch (instrument.Name)
            {
                case "accountgrains.rabbitmq.published": Interlocked.Add(ref published, value); break;
                case "accountgrains.rabbitmq.acked": Interlocked.Add(ref acked, value); break;
                case "accountgrains.rabbitmq.redelivered": Interlocked.Add(ref redelivered, value); break;
            }
        });
        listener.Start();

        var options = RabbitMqScope.NewOptions(RabbitMqQueueType.Classic);
        await using var connection = await RabbitMqConnection.ConnectAsync(options, metrics: metrics);
        var queues = await PartitionQueues.DeclareAsync(connection, 1);
        try
        {
            await Task.WhenAll(Enumerable.Range(0, 10).Select(_ => queues.PublishAsync(0, new byte[] { 1 })));
            var failed = 0;
            await using (await queues.ConsumeAsync(0, _ => Interlocked.Exchange(ref failed, 1) == 0 ? throw new InvalidOperationException("once") : Task.CompletedTask))
            {
                await Eventually.TrueAsync(() => Interlocked.Read(ref acked) == 10, "10 acks", TimeSpan.FromSeconds(30));
            }

            Interlocked.Read(ref published).Should().Be(10);
            Interlocked.Read(ref redelivered).Should().Be(1);
        }
        finally
        {
            await queues.DeleteAsync();
            await queues.DisposeAsync();
        }
    }
}
