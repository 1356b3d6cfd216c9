using System.Globalization;
using AccountGrains.Runtime.Catalog;
using AccountGrains.Runtime.Messaging;
using AccountGrains.Runtime.Messaging.Wire;
using AccountGrains.Runtime.Tests.TestSupport;
using AccountGrains.Runtime.Transport;
using AccountGrains.Runtime.Transport.RabbitMq;
using AccountGrains.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;

namespace AccountGrains.Runtime.Tests.RabbitMq;

/// <summary>
/// The RabbitMQ transport under a real silo: the test grains are called through their proxies, and every call travels
/// as bytes over the throwaway broker's partition queues (prefixed per test).
/// </summary>
[Collection(RabbitMqTestGroup.Name)]
public sealed class RabbitMqTransportTests
{
    private const int Partitions = 4;

    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    private static async Task<(TestSilo Silo, PartitionQueues Queues)> StartSiloAsync(RabbitMqScope scope, CapturingLogger log)
    {
        var queues = await scope.PartitionsAsync(Partitions);
        var silo = await TestSilo.StartAsync(
            services => services.AddSingleton<IMessageTransport>(sp => new RabbitMqTransport(
                queues, new GrainCallCodec(sp.GetRequiredService<GrainTypeRegistry>()), scope.Options, log.For<RabbitMqTransport>())),
            ("PartitionCount", Partitions.ToString(CultureInfo.InvariantCulture)));
        return (silo, queues);
    }

    private static int PartitionOf(TestSilo silo, string type, string key) =>
        silo.Services.GetRequiredService<GrainRuntime>().PartitionOf(new GrainId(type, key));

    [RabbitMqFact]
    public async Task A_call_with_a_result_makes_the_round_trip_through_the_broker()
    {
        await using var scope = await RabbitMqScope.StartAsync();
        var log = new CapturingLogger();
        var (silo, _) = await StartSiloAsync(scope, log);
        await using var _ = silo;

        silo.Services.GetRequiredService<IMessageTransport>().Should().BeOfType<RabbitMqTransport>();
        var counters = Enumerable.Range(0, 8).Select(i => silo.Grains.Get<ICounterGrain>("c" + i)).ToArray();
        for (var round = 1; round <= 3; round++)
        {
            var results = await Task.WhenAll(counters.Select(c => c.IncrementAndGetAsync())).WaitAsync(Patience);
            results.Should().AllBeEquivalentTo(round);
        }

        (await counters[0].GetInstanceIdAsync().WaitAsync(Patience)).Should().NotBeEmpty();
        silo.Counters.Activations.Should().Be(counters.Length);
    }

    [RabbitMqFact]
    public async Task An_exception_thrown_by_a_grain_arrives_as_the_same_type_and_message()
    {
        await using var scope = await RabbitMqScope.StartAsync();
        var log = new CapturingLogger();
        var (silo, _) = await StartSiloAsync(scope, log);
        await using var _ = silo;
        var grain = silo.Grains.Get<ITurnGrain>("thrower");

        var thrown = async () => await grain.ThrowAsync("the grain says no").WaitAsync(Patience);
        (await thrown.Should().ThrowExactlyAsync<InvalidOperationException>()).WithMessage("the grain says no");

        var early = async () => await grain.ThrowBeforeReturningTaskAsync("bad input").WaitAsync(Patience);
        var argument = (await early.Should().ThrowExactlyAsync<ArgumentException>()).Which;
        argument.ParamName.Should().Be("message");
        argument.Message.Should().Be(new ArgumentException("bad input", "message").Message);

        // The activation survives its exceptions and keeps answering.
        (await grain.GetTurnCountAsync().WaitAsync(Patience)).Should().Be(3);
    }

    [RabbitMqFact]
    public async Task One_way_calls_all_arrive_in_order_per_partition()
    {
        await using var scope = await RabbitMqScope.StartAsync();
        var log = new CapturingLogger();
        var (silo, _) = await StartSiloAsync(scope, log);
        await using var _ = silo;
        const int perGrain = 300;
        var keys = Enumerable.Range(0, 8).Select(i => "seq" + i).ToArray();
        keys.Select(k => PartitionOf(silo, "test-turns", k)).Distinct().Should().HaveCountGreaterThan(1, "the grains spread over partitions");
        var grains = keys.Select(k => silo.Grains.Get<ITurnGrain>(k)).ToArray();

        // Sent without waiting for one another: the confirms are awaited together, the queue keeps the send order.
        var sends = new List<Task>();
        for (var i = 0; i < perGrain; i++)
        {
            foreach (var grain in grains)
            {
                sends.Add(grain.AppendAsync(i));
            }
        }

        await Task.WhenAll(sends).WaitAsync(Patience);

        // Sent is not yet queued: the read below is a request on another channel, so wait for the confirms first.
        await silo.Services.GetRequiredService<IMessageTransport>().FlushAsync().WaitAsync(Patience);
        foreach (var grain in grains)
        {
            (await grain.GetAppendedAsync().WaitAsync(Patience)).Should().Equal(Enumerable.Range(0, perGrain));
        }
    }

    [RabbitMqFact]
    public async Task A_garbage_payload_is_logged_and_acknowledged_and_does_not_block_the_next_message()
    {
        await using var scope = await RabbitMqScope.StartAsync();
        var log = new CapturingLogger();
        var (silo, queues) = await StartSiloAsync(scope, log);
        await using var _ = silo;
        var grain = silo.Grains.Get<ITurnGrain>("after-garbage");
        var partition = PartitionOf(silo, "test-turns", "after-garbage");

        await queues.PublishAsync(partition, new byte[] { 0xde, 0xad, 0xbe, 0xef }).WaitAsync(Patience);
        await grain.AppendAsync(1).WaitAsync(Patience);

        // A one-way send returns before its confirm, and the read below is a request on another channel: wait for the
        // confirm first, or the read can reach the queue before the append.
        await silo.Services.GetRequiredService<IMessageTransport>().FlushAsync().WaitAsync(Patience);
        (await grain.GetAppendedAsync().WaitAsync(Patience)).Should().Equal(1);
        log.Lines.Should().ContainSingle(l => l.Contains(" 1316 ", StringComparison.Ordinal))
            .Which.Should().Contain("Partition=" + partition.ToString(CultureInfo.InvariantCulture));

        // A garbage request is answered with the error instead of leaving its caller to time out.
        var reply = await queues.RequestAsync(partition, "not a call"u8.ToArray(), Patience).WaitAsync(Patience);
        var outcome = GrainReplyCodec.Decode(reply.Span, GrainMethod.For(typeof(ITurnGrain).GetMethod(nameof(ITurnGrain.EnterAsync))!));
        outcome.Exception.Should().BeOfType<GrainCallException>().Which.RemoteType.Should().EndWith(nameof(GrainWireException));

        // Both were acknowledged: nothing is left in the queue to come back.
        await silo.StopAsync();
        var leftOver = new List<DeliveredMessage>();
        var consumer = await queues.ConsumeAsync(partition, m =>
        {
            leftOver.Add(m);
            return Task.CompletedTask;
        });
        await Task.Delay(500);
        await consumer.StopAsync();
        leftOver.Should().BeEmpty();
    }

    [RabbitMqFact]
    public async Task A_call_that_came_through_another_partition_than_its_key_is_refused_and_not_run()
    {
        // A sender whose partition count is not the cluster's (a gateway or client configured with another
        // AccountGrains:Runtime:PartitionCount) hashes keys to the wrong queues. Run there, a grain would get a second
        // activation on whichever silo owns that queue, beside the one its own partition's owner has.
        await using var scope = await RabbitMqScope.StartAsync();
        var log = new CapturingLogger();
        var (silo, queues) = await StartSiloAsync(scope, log);
        await using var _ = silo;
        var key = "misrouted";
        var owner = PartitionOf(silo, "test-turns", key);
        var wrong = (owner + 1) % Partitions;
        await using var sender = new RabbitMqTransport(queues, new GrainCallCodec([typeof(ITurnGrain)]), scope.Options, NullLogger<RabbitMqTransport>.Instance);
        var count = GrainMethod.For(typeof(ITurnGrain).GetMethod(nameof(ITurnGrain.GetTurnCountAsync))!);
        var append = GrainMethod.For(typeof(ITurnGrain).GetMethod(nameof(ITurnGrain.AppendAsync))!);

        var sink = new ResponseCompletion<int>();
        await sender.SendAsync(wrong, new GrainMessage(new GrainId("test-turns", key), count, [], sink));
        var request = async () => await sink.TypedTask.WaitAsync(Patience);
        (await request.Should().ThrowExactlyAsync<InvalidOperationException>()).WithMessage(
            $"grain test-turns/{key} belongs to partition {owner} of {Partitions} but its call came through partition {wrong}*PartitionCount*");

        await sender.SendAsync(wrong, new GrainMessage(new GrainId("test-turns", key), append, [7], response: null));
        await sender.FlushAsync().WaitAsync(Patience);
        await Eventually.TrueAsync(() => log.Lines.Count(l => l.Contains(" 1321 ", StringComparison.Ordinal)) == 2, "both refusals logged", Patience);
        silo.Catalog.ActivationCount.Should().Be(0, "neither call ran");

        // The grain itself, reached through its own partition, never saw them.
        (await silo.Grains.Get<ITurnGrain>(key).GetAppendedAsync().WaitAsync(Patience)).Should().BeEmpty();
    }

    [RabbitMqFact]
    public async Task A_call_nobody_answers_fails_with_a_timeout_naming_the_call()
    {
        await using var scope = await RabbitMqScope.StartAsync(configure: o => o.CallTimeout = TimeSpan.FromMilliseconds(500));
        var queues = await scope.PartitionsAsync(1);
        var codec = new GrainCallCodec([typeof(ITurnGrain)]);
        await using var transport = new RabbitMqTransport(queues, codec, scope.Options, NullLogger<RabbitMqTransport>.Instance);
        var sink = new ResponseCompletion<int>();
        var method = GrainMethod.For(typeof(ITurnGrain).GetMethod(nameof(ITurnGrain.GetTurnCountAsync))!);

        await transport.SendAsync(0, new GrainMessage(new GrainId("test-turns", "nobody"), method, [], sink));

        var call = async () => await sink.TypedTask.WaitAsync(Patience);
        (await call.Should().ThrowExactlyAsync<TimeoutException>()).WithMessage("*test-turns/nobody*GetTurnCountAsync*partition 0*");
    }

    [RabbitMqFact]
    public async Task Draining_a_consumer_stops_it_and_leaves_later_messages_in_the_queue()
    {
        await using var scope = await RabbitMqScope.StartAsync();
        var queues = await scope.PartitionsAsync(1);
        var codec = new GrainCallCodec([typeof(ITurnGrain)]);
        await using var transport = new RabbitMqTransport(queues, codec, scope.Options, NullLogger<RabbitMqTransport>.Instance);
        var method = GrainMethod.For(typeof(ITurnGrain).GetMethod(nameof(ITurnGrain.AppendAsync))!);
        GrainMessage Append(int value) => new(new GrainId("test-turns", "drained"), method, [value], response: null);
        var received = new List<int>();
        var consumer = transport.Consume(0, (m, _) =>
        {
            received.Add((int)m.Arguments[0]!);
            m.MarkProcessed(); // what the grain's turn does; the acknowledgement waits for it
            return ValueTask.CompletedTask;
        });

        await transport.SendAsync(0, Append(1));
        await Eventually.TrueAsync(() => received.Count == 1, "the first message", Patience);
        await consumer.DrainAsync(CancellationToken.None).WaitAsync(Patience);
        await consumer.DisposeAsync();
        await transport.SendAsync(0, Append(2));
        await Task.Delay(300);
        received.Should().Equal([1], "a drained consumer takes nothing more");

        var next = transport.Consume(0, (m, _) =>
        {
            received.Add((int)m.Arguments[0]!);
            m.MarkProcessed();
            return ValueTask.CompletedTask;
        });
        await Eventually.TrueAsync(() => received.Count == 2, "the message sent after the drain", Patience);
        await next.DrainAsync(CancellationToken.None);
        received.Should().Equal(1, 2);
    }

    [RabbitMqFact]
    public async Task A_one_way_call_is_acknowledged_only_after_its_turn_and_the_stored_barrier()
    {
        await using var scope = await RabbitMqScope.StartAsync();
        var queues = await scope.PartitionsAsync(1);
        var codec = new GrainCallCodec([typeof(ITurnGrain)]);
        var stored = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var barriers = 0;
        scope.Options.MaxBatchCalls = 1; // a broker message per call: this test is about messages taken one after another
        await using var transport = new RabbitMqTransport(
            queues, codec, scope.Options, NullLogger<RabbitMqTransport>.Instance,
            effectsStored: () =>
            {
                Interlocked.Increment(ref barriers);
                return stored.Task;
            });
        var method = GrainMethod.For(typeof(ITurnGrain).GetMethod(nameof(ITurnGrain.AppendAsync))!);
        var taken = new List<GrainMessage>();
        var consumer = transport.Consume(0, (m, _) =>
        {
            lock (taken)
            {
                taken.Add(m);
            }

            return ValueTask.CompletedTask;
        });
        await transport.SendAsync(0, new GrainMessage(new GrainId("test-turns", "acked"), method, [1], response: null));
        await transport.SendAsync(0, new GrainMessage(new GrainId("test-turns", "acked"), method, [2], response: null));
        await transport.FlushAsync().WaitAsync(Patience);

        // Both are taken (the second is not held up by the first's ack), neither is acknowledged yet.
        await Eventually.TrueAsync(() => taken.Count == 2, "both messages taken", Patience);
        barriers.Should().Be(0, "the barrier is asked for only once a turn has run");
        taken[0].MarkProcessed();
        await Eventually.TrueAsync(() => Volatile.Read(ref barriers) == 1, "the first turn waits for the store", Patience);

        // The silo dies before storing: closing without acks returns both to the queue, in order.
        consumer.Fence();
        await consumer.DisposeAsync();
        var redelivered = new List<int>();
        var next = transport.Consume(0, (m, _) =>
        {
            lock (redelivered)
            {
                redelivered.Add((int)m.Arguments[0]!);
            }

            m.MarkProcessed();
            return ValueTask.CompletedTask;
        });
        await Eventually.TrueAsync(() => redelivered.Count == 2, "both redelivered to the next consumer", Patience);
        redelivered.Should().Equal(1, 2);

        // Once stored they are acknowledged: nothing comes back after this consumer goes too.
        stored.SetResult();
        await next.DrainAsync(CancellationToken.None).WaitAsync(Patience);
        await next.DisposeAsync();
        var after = new List<int>();
        await using var last = transport.Consume(0, (m, _) =>
        {
            after.Add((int)m.Arguments[0]!);
            m.MarkProcessed();
            return ValueTask.CompletedTask;
        });
        await Task.Delay(500);
        after.Should().BeEmpty("acknowledged messages are gone from the queue");
    }

    [RabbitMqFact]
    public async Task A_one_way_call_whose_grain_fails_goes_back_to_the_queue_and_is_taken_again()
    {
        await using var scope = await RabbitMqScope.StartAsync();
        var queues = await scope.PartitionsAsync(1);
        var codec = new GrainCallCodec([typeof(ITurnGrain)]);
        await using var transport = new RabbitMqTransport(queues, codec, scope.Options, NullLogger<RabbitMqTransport>.Instance);
        var method = GrainMethod.For(typeof(ITurnGrain).GetMethod(nameof(ITurnGrain.AppendAsync))!);
        var attempts = 0;
        await using var consumer = transport.Consume(0, (m, _) =>
        {
            // The first attempt fails as an activation failure would (storage down); the second succeeds.
            if (Interlocked.Increment(ref attempts) == 1)
            {
                m.MarkFailed(new InvalidOperationException("storage is down"));
            }
            else
            {
                m.MarkProcessed();
            }

            return ValueTask.CompletedTask;
        });

        await transport.SendAsync(0, new GrainMessage(new GrainId("test-turns", "retried"), method, [7], response: null));
        await Eventually.TrueAsync(() => Volatile.Read(ref attempts) == 2, "the failed message comes back", Patience);
        await Task.Delay(500);
        attempts.Should().Be(2, "once processed it is acknowledged and not delivered again");
    }

    [RabbitMqFact]
    public async Task A_consumer_that_cannot_start_retries_until_the_queue_is_there()
    {
        await using var scope = await RabbitMqScope.StartAsync();
        var queues = await scope.PartitionsAsync(1);
        var codec = new GrainCallCodec([typeof(ITurnGrain)]);
        var log = new CapturingLogger();
        await using var transport = new RabbitMqTransport(queues, codec, scope.Options, log.For<RabbitMqTransport>());
        var method = GrainMethod.For(typeof(ITurnGrain).GetMethod(nameof(ITurnGrain.AppendAsync))!);

        // The queue is gone when the partition is taken (as when the broker is restarting): consuming fails.
        await queues.DeleteAsync();
        var received = new List<int>();
        await using var consumer = transport.Consume(0, (m, _) =>
        {
            lock (received)
            {
                received.Add((int)m.Arguments[0]!);
            }

            m.MarkProcessed();
            return ValueTask.CompletedTask;
        });
        await Eventually.TrueAsync(() => log.Lines.Any(l => l.Contains(" 1318 ", StringComparison.Ordinal)), "the failed start is logged", Patience);

        // Back: the retry consumes it without anyone starting the consumer again.
        await using var again = await PartitionQueues.DeclareAsync(scope.Connection, 1);
        await transport.SendAsync(0, new GrainMessage(new GrainId("test-turns", "late"), method, [5], response: null));
        await Eventually.TrueAsync(() => received.Count == 1, "the message reaches the consumer that retried", Patience);
        await again.DeleteAsync();
    }

    [RabbitMqFact]
    public async Task One_way_calls_sent_together_share_broker_messages_and_a_batch_is_acknowledged_only_when_all_its_calls_are_done()
    {
        await using var scope = await RabbitMqScope.StartAsync();
        var queues = await scope.PartitionsAsync(1);
        var codec = new GrainCallCodec([typeof(ITurnGrain)]);
        scope.Options.MaxBatchCalls = 10;
        scope.Options.BatchLinger = TimeSpan.FromMilliseconds(50);
        await using var transport = new RabbitMqTransport(queues, codec, scope.Options, NullLogger<RabbitMqTransport>.Instance);
        var method = GrainMethod.For(typeof(ITurnGrain).GetMethod(nameof(ITurnGrain.AppendAsync))!);
        for (var i = 0; i < 25; i++)
        {
            await transport.SendAsync(0, new GrainMessage(new GrainId("test-turns", "batched"), method, [i], response: null));
        }

        await transport.FlushAsync().WaitAsync(Patience);

        // 25 calls: two full batches of 10 and the 5 that lingered, as 3 broker messages, taken in send order.
        (await ReadyMessagesAsync(scope, queues)).Should().Be(3);
        var taken = new List<GrainMessage>();
        var consumer = transport.Consume(0, (m, _) =>
        {
            lock (taken)
            {
                taken.Add(m);
            }

            return ValueTask.CompletedTask;
        });
        await Eventually.TrueAsync(() => taken.Count == 25, "every call taken", Patience);
        taken.Select(m => (int)m.Arguments[0]!).Should().Equal(Enumerable.Range(0, 25));

        // Everything but call 13 is done: its batch (10-19) is not acknowledged; fenced and closed, it comes back whole.
        foreach (var message in taken.Where(m => (int)m.Arguments[0]! != 13))
        {
            message.MarkProcessed();
        }

        await Task.Delay(500); // the finished batches' acks on their way before the channel closes
        consumer.Fence();
        await consumer.DisposeAsync();
        await Waits.UntilAsync(async () => await ReadyMessagesAsync(scope, queues) == 1, "only the unfinished batch back in the queue");
        var again = new List<int>();
        await using var next = transport.Consume(0, (m, _) =>
        {
            lock (again)
            {
                again.Add((int)m.Arguments[0]!);
            }

            m.MarkProcessed();
            return ValueTask.CompletedTask;
        });
        await Eventually.TrueAsync(() => again.Count == 10, "the unfinished batch redelivered whole", Patience);
        again.Should().Equal(Enumerable.Range(10, 10));
    }

    private static async Task<uint> ReadyMessagesAsync(RabbitMqScope scope, PartitionQueues queues)
    {
        var channel = await scope.Connection.CreateChannelAsync(confirms: false, CancellationToken.None);
        try
        {
            return (await channel.QueueDeclarePassiveAsync(queues.QueueName(0))).MessageCount;
        }
        finally
        {
            await ChannelCloser.CloseQuietlyAsync(channel);
        }
    }
}
