using System.Buffers.Binary;
using System.Collections.Concurrent;
using System.Text;
using AccountGrains.Runtime.Tests.TestSupport;
using AccountGrains.Runtime.Transport.RabbitMq;

namespace AccountGrains.Runtime.Tests.RabbitMq;

/// <summary>
/// Partition queue conformance against the real broker, run for each queue type. One collection: a broker restart
/// must not land in the middle of another RabbitMQ test.
/// </summary>
[Collection(RabbitMqTestGroup.Name)]
public abstract class PartitionQueueTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    protected abstract RabbitMqQueueType QueueType { get; }

    private static byte[] Message(int partition, int sequence, int size = 16)
    {
        var body = new byte[size];
        BinaryPrimitives.WriteInt32BigEndian(body, partition);
        BinaryPrimitives.WriteInt32BigEndian(body.AsSpan(4), sequence);
        for (var i = 8; i < size; i++)
        {
            body[i] = (byte)(sequence + i);
        }

        return body;
    }

    private static int Sequence(ReadOnlyMemory<byte> body) => BinaryPrimitives.ReadInt32BigEndian(body.Span[4..]);

    [RabbitMqFact]
    public async Task Ten_thousand_confirmed_messages_are_consumed_exactly_as_sent_in_order_per_partition()
    {
        await using var scope = await RabbitMqScope.StartAsync(QueueType);
        const int partitions = 4;
        const int perPartition = 2500;
        var queues = await scope.PartitionsAsync(partitions);

        var publishes = new List<Task>();
        for (var i = 0; i < perPartition; i++)
        {
            for (var p = 0; p < partitions; p++)
            {
                publishes.Add(queues.PublishAsync(p, Message(p, i, 40), new Dictionary<string, object?> { ["seq"] = i.ToString(System.Globalization.CultureInfo.InvariantCulture) }));
            }
        }

        await Task.WhenAll(publishes).WaitAsync(TimeSpan.FromSeconds(60));

        var received = Enumerable.Range(0, partitions).Select(_ => new ConcurrentQueue<DeliveredMessage>()).ToArray();
        var consumers = new List<PartitionConsumer>();
        for (var p = 0; p < partitions; p++)
        {
            var partition = p;
            consumers.Add(await queues.ConsumeAsync(p, m =>
            {
                received[partition].Enqueue(m);
                return Task.CompletedTask;
            }));
        }

        await Eventually.TrueAsync(() => received.Sum(r => r.Count) >= partitions * perPartition, "all 10k messages", Patience);
        foreach (var consumer in consumers)
        {
            await consumer.StopAsync();
        }

        for (var p = 0; p < partitions; p++)
        {
            var messages = received[p].ToArray();
            messages.Should().HaveCount(perPartition);
            for (var i = 0; i < perPartition; i++)
            {
                messages[i].Partition.Should().Be(p);
                messages[i].Body.ToArray().Should().Equal(Message(p, i, 40));
                messages[i].HeaderAsString("seq").Should().Be(i.ToString(System.Globalization.CultureInfo.InvariantCulture));
                messages[i].Redelivered.Should().BeFalse();
            }
        }
    }

    [RabbitMqFact]
    public async Task A_message_whose_handler_throws_is_redelivered_and_then_acked()
    {
        await using var scope = await RabbitMqScope.StartAsync(QueueType);
        var queues = await scope.PartitionsAsync(1);
        for (var i = 0; i < 3; i++)
        {
            await queues.PublishAsync(0, Message(0, i));
        }

        var seen = new ConcurrentQueue<(int Sequence, bool Redelivered, long? Count)>();
        var failedOnce = 0;
        var consumer = await queues.ConsumeAsync(0, m =>
        {
            var sequence = Sequence(m.Body);
            seen.Enqueue((sequence, m.Redelivered, m.DeliveryCount));
            if (sequence == 1 && Interlocked.Exchange(ref failedOnce, 1) == 0)
            {
                throw new InvalidOperationException("storage is down");
            }

            return Task.CompletedTask;
        });

        await Eventually.TrueAsync(() => seen.Count(s => s.Sequence == 1) == 2 && seen.Any(s => s.Sequence == 2), "the failed message again", Patience);
        await consumer.StopAsync();

        var again = seen.Where(s => s.Sequence == 1).ToArray();
        again[0].Redelivered.Should().BeFalse();
        again[1].Redelivered.Should().BeTrue();
        if (QueueType == RabbitMqQueueType.Quorum)
        {
            again[1].Count.Should().BeGreaterThanOrEqualTo(1, "a quorum queue counts deliveries");
        }
        else
        {
            again[1].Count.Should().BeNull("a classic queue does not count deliveries");
        }

        // Everything was acknowledged in the end: a new consumer finds the queue empty.
        var leftovers = 0;
        await using (await queues.ConsumeAsync(0, _ =>
        {
            Interlocked.Increment(ref leftovers);
            return Task.CompletedTask;
        }))
        {
            await Task.Delay(500);
        }

        leftovers.Should().Be(0);
    }

    [RabbitMqFact]
    public async Task A_stopped_consumer_leaves_unacked_messages_to_the_next_consumer()
    {
        await using var scope = await RabbitMqScope.StartAsync(QueueType);
        var queues = await scope.PartitionsAsync(1);
        for (var i = 0; i < 5; i++)
        {
            await queues.PublishAsync(0, Message(0, i));
        }

        var stuck = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var first = new ConcurrentQueue<int>();
        var consumer = await queues.ConsumeAsync(0, m =>
        {
            first.Enqueue(Sequence(m.Body));
            return Sequence(m.Body) == 2 ? stuck.Task : Task.CompletedTask; // the effect of #2 never becomes durable
        });
        await Eventually.TrueAsync(() => first.Contains(2), "the first consumer to take #2", Patience);
        using (var grace = new CancellationTokenSource(TimeSpan.FromMilliseconds(300)))
        {
            await consumer.StopAsync(grace.Token);
        }

        var second = new ConcurrentQueue<DeliveredMessage>();
        await using var next = await queues.ConsumeAsync(0, m =>
        {
            second.Enqueue(m);
            return Task.CompletedTask;
        });
        await Eventually.TrueAsync(() => second.Count >= 3, "#2, #3 and #4 on the next consumer", Patience);
        await Task.Delay(200);
        stuck.SetResult(); // too late: its channel is closed, so this ack is skipped

        first.Should().Equal(0, 1, 2);
        second.Select(m => Sequence(m.Body)).Should().Equal(2, 3, 4);
        second.First().Redelivered.Should().BeTrue();
    }

    [RabbitMqFact]
    public async Task With_single_active_consumer_only_one_of_two_consumers_receives_until_it_stops()
    {
        await using var scope = await RabbitMqScope.StartAsync(QueueType);
        var queues = await scope.PartitionsAsync(1);
        var a = new ConcurrentQueue<int>();
        var b = new ConcurrentQueue<int>();
        var consumerA = await queues.ConsumeAsync(0, m =>
        {
            a.Enqueue(Sequence(m.Body));
            return Task.CompletedTask;
        });
        await using var consumerB = await queues.ConsumeAsync(0, m =>
        {
            b.Enqueue(Sequence(m.Body));
            return Task.CompletedTask;
        });

        for (var i = 0; i < 20; i++)
        {
            await queues.PublishAsync(0, Message(0, i));
        }

        await Eventually.TrueAsync(() => a.Count == 20, "consumer A to take all 20", Patience);
        await Task.Delay(200);
        b.Should().BeEmpty("only the active consumer receives");

        await consumerA.StopAsync();
        for (var i = 20; i < 40; i++)
        {
            await queues.PublishAsync(0, Message(0, i));
        }

        await Eventually.TrueAsync(() => b.Count == 20, "consumer B, active now, to take the next 20", Patience);
        a.Should().Equal(Enumerable.Range(0, 20));
        b.Should().Equal(Enumerable.Range(20, 20));
    }

    [RabbitMqFact]
    public async Task Request_gets_the_reply_times_out_without_a_consumer_and_ignores_a_late_reply()
    {
        await using var scope = await RabbitMqScope.StartAsync(QueueType);
        var queues = await scope.PartitionsAsync(2);
        var delay = TimeSpan.Zero;
        await using var consumer = await queues.ConsumeAsync(0, async m =>
        {
            m.IsRequest.Should().BeTrue();
            await Task.Delay(delay);
            await m.ReplyAsync(Encoding.UTF8.GetBytes("re:" + Encoding.UTF8.GetString(m.Body.Span)));
        });

        var reply = await queues.RequestAsync(0, Encoding.UTF8.GetBytes("ping"), TimeSpan.FromSeconds(5));
        Encoding.UTF8.GetString(reply.Span).Should().Be("re:ping");

        var nobody = () => queues.RequestAsync(1, Encoding.UTF8.GetBytes("anyone?"), TimeSpan.FromMilliseconds(300));
        (await nobody.Should().ThrowAsync<TimeoutException>()).Which.Message.Should().Contain("partition 1").And.Contain("300 ms");

        delay = TimeSpan.FromMilliseconds(800);
        var slow = () => queues.RequestAsync(0, Encoding.UTF8.GetBytes("slow"), TimeSpan.FromMilliseconds(200));
        await slow.Should().ThrowAsync<TimeoutException>();
        await Task.Delay(1000); // the late reply arrives now and is dropped

        delay = TimeSpan.Zero;
        var next = await queues.RequestAsync(0, Encoding.UTF8.GetBytes("next"), TimeSpan.FromSeconds(5));
        Encoding.UTF8.GetString(next.Span).Should().Be("re:next", "the late reply to 'slow' must not answer 'next'");
    }

    [RabbitMqFact]
    public async Task After_a_broker_restart_publishing_and_consuming_resume_and_nothing_confirmed_is_lost()
    {
        await using var scope = await RabbitMqScope.StartAsync(QueueType);
        var queues = await scope.PartitionsAsync(2);
        var received = new ConcurrentDictionary<int, int>();
        var consumer = await queues.ConsumeAsync(0, m =>
        {
            received.AddOrUpdate(Sequence(m.Body), 1, (_, n) => n + 1);
            return Task.CompletedTask;
        });
        await Task.WhenAll(Enumerable.Range(0, 300).Select(i => queues.PublishAsync(0, Message(0, i))));
        await Task.WhenAll(Enumerable.Range(0, 300).Select(i => queues.PublishAsync(1, Message(1, i))));
        await Eventually.TrueAsync(() => received.Count == 300, "the first 300 before the restart", Patience);

        await Broker.RabbitMqCtlAsync("stop_app");
        await Broker.RabbitMqCtlAsync("start_app");

        // Publishing resumes: these wait for the reconnect inside PublishAsync.
        await Task.WhenAll(Enumerable.Range(300, 300).Select(i => queues.PublishAsync(0, Message(0, i)))).WaitAsync(TimeSpan.FromSeconds(60));
        await Eventually.TrueAsync(() => received.Count == 600, "the consumer, restored, to take the next 300", Patience);
        scope.Connection.Recoveries.Should().BeGreaterThanOrEqualTo(1);
        await consumer.StopAsync();

        // Partition 1 was never consumed: its 300 persistent, confirmed messages survived the restart.
        var survived = new ConcurrentQueue<int>();
        await using var after = await queues.ConsumeAsync(1, m =>
        {
            survived.Enqueue(Sequence(m.Body));
            return Task.CompletedTask;
        });
        await Eventually.TrueAsync(() => survived.Count == 300, "the 300 stored before the restart", Patience);
        survived.Should().Equal(Enumerable.Range(0, 300));

        // Request/reply is back too.
        await using var replier = await queues.ConsumeAsync(0, m => m.ReplyAsync(m.Body));
        var reply = await queues.RequestAsync(0, new byte[] { 7 }, TimeSpan.FromSeconds(10));
        reply.ToArray().Should().Equal(7);
    }
}

public sealed class QuorumPartitionQueueTests : PartitionQueueTests
{
    protected override RabbitMqQueueType QueueType => RabbitMqQueueType.Quorum;
}

public sealed class ClassicPartitionQueueTests : PartitionQueueTests
{
    protected override RabbitMqQueueType QueueType => RabbitMqQueueType.Classic;
}

[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class RabbitMqTestGroup
{
    public const string Name = "RabbitMQ";
}
