using System.Collections.Concurrent;

using AccountGrains.Grpc.Tests.TestSupport;

using Geyser;

namespace AccountGrains.Grpc.Tests;

public sealed class SubscribeTests
{
    private static readonly CallOptions Token = new() { Headers = new Metadata().Add("x-token", "subscribe-token") };

    [Fact]
    public async Task Subscribe_streams_every_update_then_ends_with_ok_and_the_servers_trailers()
    {
        await using GeyserTestServer server = await GeyserTestServer.StartAsync();
        var received = new TaskCompletionSource<SubscribeRequest>(TaskCreationOptions.RunContinuationsAsynchronously);
        server.Handle(GeyserTestServer.Subscribe, async call =>
        {
            received.TrySetResult((await call.ReadAsync(SubscribeRequest.Parser))!);
            for (ulong slot = 1; slot <= 50; slot++)
            {
                await call.WriteAsync(Updates.Account(slot));
            }

            call.EndWithStatus(StatusCode.OK, null, ("x-served", "50"));
        });
        using var connection = new GrpcConnection(server.HttpAddress);
        using DuplexCall<SubscribeRequest, SubscribeUpdate> call = connection.Duplex<SubscribeRequest, SubscribeUpdate>(GeyserTestServer.Subscribe, Token);

        await call.RequestStream.WriteAsync(Updates.Subscription(fromSlot: 7));
        var updates = new List<SubscribeUpdate>();
        await foreach (SubscribeUpdate update in call.ResponseStream.ReadAllAsync())
        {
            updates.Add(update);
        }

        (await received.Task.OrHang()).Should().Be(Updates.Subscription(fromSlot: 7));
        updates.Should().Equal(Enumerable.Range(1, 50).Select(slot => Updates.Account((ulong)slot)));
        call.GetStatus().Should().Be(GrpcStatus.Ok);
        call.GetTrailers().GetValue("x-served").Should().Be("50");
        server.Calls.Single().RequestHeaders["x-token"].Should().Be("subscribe-token");
    }

    [Fact]
    public async Task A_subscription_reaches_the_server_before_the_client_writes_anything()
    {
        await using GeyserTestServer server = await GeyserTestServer.StartAsync();
        server.Handle(GeyserTestServer.Subscribe, async call =>
        {
            await call.WriteAsync(Updates.ServerPing());
            await Task.Delay(Timeout.Infinite, call.Aborted);
        });
        using var connection = new GrpcConnection(server.HttpAddress);
        await connection.UnaryAsync<PingRequest, PongResponse>(GeyserTestServer.Ping, new PingRequest());

        // On a quiet connection nothing else flushes HttpClient's write buffer, which holds a request's HEADERS back
        // until its body is flushed: the call itself must flush, or the server never hears of it.
        await Task.Delay(250);
        using DuplexCall<SubscribeRequest, SubscribeUpdate> call = connection.Duplex<SubscribeRequest, SubscribeUpdate>(GeyserTestServer.Subscribe);

        (await call.ResponseStream.MoveNext().OrHang()).Should().BeTrue();
        call.ResponseStream.Current.UpdateOneofCase.Should().Be(SubscribeUpdate.UpdateOneofOneofCase.Ping);
    }

    [Fact]
    public async Task Status_and_trailers_are_not_available_before_the_call_has_finished()
    {
        await using GeyserTestServer server = await GeyserTestServer.StartAsync();
        server.Handle(GeyserTestServer.Subscribe, async call =>
        {
            await call.WriteAsync(Updates.Account(1));
            await Task.Delay(Timeout.Infinite, call.Aborted);
        });
        using var connection = new GrpcConnection(server.HttpAddress);
        using DuplexCall<SubscribeRequest, SubscribeUpdate> call = connection.Duplex<SubscribeRequest, SubscribeUpdate>(GeyserTestServer.Subscribe);

        (await call.ResponseStream.MoveNext().OrHang()).Should().BeTrue();

        call.Invoking(c => c.GetStatus()).Should().Throw<InvalidOperationException>();
        call.Invoking(c => c.GetTrailers()).Should().Throw<InvalidOperationException>();
    }

    [Fact]
    public async Task A_server_ping_is_answered_on_the_same_stream_and_the_answer_reaches_the_server()
    {
        await using GeyserTestServer server = await GeyserTestServer.StartAsync();
        var answered = new TaskCompletionSource<SubscribeRequest>(TaskCreationOptions.RunContinuationsAsynchronously);
        server.Handle(GeyserTestServer.Subscribe, async call =>
        {
            _ = await call.ReadAsync(SubscribeRequest.Parser);
            await call.WriteAsync(Updates.ServerPing());
            SubscribeRequest pong = (await call.ReadAsync(SubscribeRequest.Parser))!;
            answered.TrySetResult(pong);
            await call.WriteAsync(new SubscribeUpdate { Pong = new SubscribeUpdatePong { Id = pong.Ping.Id } });
            (await call.ReadAsync(SubscribeRequest.Parser)).Should().BeNull("the client half-closed");
        });
        using var connection = new GrpcConnection(server.HttpAddress);
        using DuplexCall<SubscribeRequest, SubscribeUpdate> call = connection.Duplex<SubscribeRequest, SubscribeUpdate>(GeyserTestServer.Subscribe);

        await call.RequestStream.WriteAsync(Updates.Subscription());
        (await call.ResponseStream.MoveNext().OrHang()).Should().BeTrue();
        call.ResponseStream.Current.UpdateOneofCase.Should().Be(SubscribeUpdate.UpdateOneofOneofCase.Ping);
        await call.RequestStream.WriteAsync(Updates.ClientPing(77));
        (await call.ResponseStream.MoveNext().OrHang()).Should().BeTrue();
        await call.RequestStream.CompleteAsync();

        call.ResponseStream.Current.Pong.Id.Should().Be(77);
        (await answered.Task.OrHang()).Ping.Id.Should().Be(77);
        (await call.ResponseStream.MoveNext().OrHang()).Should().BeFalse();
        call.GetStatus().StatusCode.Should().Be(StatusCode.OK);
        server.HandlerErrors.Should().BeEmpty();
    }

    [Fact]
    public async Task Thousands_of_messages_flow_both_ways_at_once_on_one_stream_in_order()
    {
        const int serverUpdates = 5000;
        const int clientPings = 2000;
        await using GeyserTestServer server = await GeyserTestServer.StartAsync();
        var serverReceived = new ConcurrentQueue<int>();
        server.Handle(GeyserTestServer.Subscribe, async call =>
        {
            Task reading = Task.Run(async () =>
            {
                while (await call.ReadAsync(SubscribeRequest.Parser) is { } request)
                {
                    serverReceived.Enqueue(request.Ping.Id);
                }
            });
            for (ulong slot = 1; slot <= serverUpdates; slot++)
            {
                await call.WriteAsync(Updates.Account(slot, dataLength: 200));
            }

            await reading;
            call.EndWithStatus(StatusCode.OK, null, ("x-received", serverReceived.Count.ToString(System.Globalization.CultureInfo.InvariantCulture)));
        });
        using var connection = new GrpcConnection(server.HttpAddress);
        using DuplexCall<SubscribeRequest, SubscribeUpdate> call = connection.Duplex<SubscribeRequest, SubscribeUpdate>(GeyserTestServer.Subscribe);

        Task writing = Task.Run(async () =>
        {
            for (int id = 1; id <= clientPings; id++)
            {
                await call.RequestStream.WriteAsync(Updates.ClientPing(id));
            }

            await call.RequestStream.CompleteAsync();
        });
        var slots = new List<ulong>();
        await foreach (SubscribeUpdate update in call.ResponseStream.ReadAllAsync())
        {
            slots.Add(update.Account.Slot);
        }

        await writing.OrHang();
        slots.Should().Equal(Enumerable.Range(1, serverUpdates).Select(i => (ulong)i));
        serverReceived.Should().Equal(Enumerable.Range(1, clientPings));
        call.GetTrailers().GetValue("x-received").Should().Be("2000");
    }

    [Fact]
    public async Task Concurrent_writes_from_many_tasks_each_arrive_whole()
    {
        await using GeyserTestServer server = await GeyserTestServer.StartAsync();
        var serverReceived = new ConcurrentBag<int>();
        server.Handle(GeyserTestServer.Subscribe, async call =>
        {
            while (await call.ReadAsync(SubscribeRequest.Parser) is { } request)
            {
                serverReceived.Add(request.Ping.Id);
            }
        });
        using var connection = new GrpcConnection(server.HttpAddress);
        using DuplexCall<SubscribeRequest, SubscribeUpdate> call = connection.Duplex<SubscribeRequest, SubscribeUpdate>(GeyserTestServer.Subscribe);

        await Task.WhenAll(Enumerable.Range(0, 8).Select(writer => Task.Run(async () =>
        {
            for (int i = 0; i < 100; i++)
            {
                await call.RequestStream.WriteAsync(Updates.ClientPing((writer * 1000) + i));
            }
        })));
        await call.RequestStream.CompleteAsync();

        (await call.ResponseStream.MoveNext().OrHang()).Should().BeFalse();
        serverReceived.Order().Should().Equal(Enumerable.Range(0, 8).SelectMany(writer => Enumerable.Range(writer * 1000, 100)));
    }

    [Fact]
    public async Task A_large_account_update_spanning_many_reads_arrives_intact()
    {
        await using GeyserTestServer server = await GeyserTestServer.StartAsync();
        SubscribeUpdate large = Updates.Account(9, dataLength: 5 * 1024 * 1024);
        server.Handle(GeyserTestServer.Subscribe, async call =>
        {
            await call.WriteAsync(Updates.Account(8));
            await call.WriteAsync(large);
            await call.WriteAsync(Updates.Account(10));
        });
        using var connection = new GrpcConnection(server.HttpAddress);
        using DuplexCall<SubscribeRequest, SubscribeUpdate> call = connection.Duplex<SubscribeRequest, SubscribeUpdate>(GeyserTestServer.Subscribe);

        List<SubscribeUpdate> updates = await call.ResponseStream.ReadAllAsync().ToListAsync();

        updates.Should().Equal(Updates.Account(8), large, Updates.Account(10));
    }

    [Fact]
    public async Task The_stream_ending_with_out_of_range_throws_after_the_updates_before_it()
    {
        await using GeyserTestServer server = await GeyserTestServer.StartAsync();
        server.Handle(GeyserTestServer.Subscribe, async call =>
        {
            _ = await call.ReadAsync(SubscribeRequest.Parser);
            await call.WriteAsync(Updates.Account(1));
            await call.WriteAsync(Updates.Account(2));
            call.EndWithStatus(StatusCode.OutOfRange, "from_slot too old", ("x-first-available", "3"));
        });
        using var connection = new GrpcConnection(server.HttpAddress);
        using DuplexCall<SubscribeRequest, SubscribeUpdate> call = connection.Duplex<SubscribeRequest, SubscribeUpdate>(GeyserTestServer.Subscribe);
        await call.RequestStream.WriteAsync(Updates.Subscription(fromSlot: 1));

        (await call.ResponseStream.MoveNext().OrHang()).Should().BeTrue();
        (await call.ResponseStream.MoveNext().OrHang()).Should().BeTrue();
        Func<Task> next = () => call.ResponseStream.MoveNext().OrHang();

        GrpcException error = (await next.Should().ThrowAsync<GrpcException>()).Which;
        error.StatusCode.Should().Be(StatusCode.OutOfRange);
        error.Detail.Should().Be("from_slot too old");
        call.GetStatus().Should().Be(new GrpcStatus(StatusCode.OutOfRange, "from_slot too old"));
        call.GetTrailers().GetValue("x-first-available").Should().Be("3");
        (await next.Should().ThrowAsync<GrpcException>()).Which.StatusCode.Should().Be(StatusCode.OutOfRange, "the status sticks");
    }

    [Fact]
    public async Task Writing_after_the_call_failed_throws_the_calls_status()
    {
        await using GeyserTestServer server = await GeyserTestServer.StartAsync();
        server.Handle(GeyserTestServer.Subscribe, call =>
        {
            call.TrailersOnly(StatusCode.Unauthenticated, "x-token is missing");
            return Task.CompletedTask;
        });
        using var connection = new GrpcConnection(server.HttpAddress);
        using DuplexCall<SubscribeRequest, SubscribeUpdate> call = connection.Duplex<SubscribeRequest, SubscribeUpdate>(GeyserTestServer.Subscribe);

        Func<Task> read = () => call.ResponseStream.MoveNext().OrHang();
        (await read.Should().ThrowAsync<GrpcException>()).Which.StatusCode.Should().Be(StatusCode.Unauthenticated);
        Func<Task> write = () => call.RequestStream.WriteAsync(Updates.Subscription());

        (await write.Should().ThrowAsync<GrpcException>()).Which.Status.Should().Be(new GrpcStatus(StatusCode.Unauthenticated, "x-token is missing"));
    }

    [Fact]
    public async Task Writing_after_complete_throws_and_sends_nothing()
    {
        await using GeyserTestServer server = await GeyserTestServer.StartAsync();
        var serverReceived = new ConcurrentQueue<SubscribeRequest>();
        server.Handle(GeyserTestServer.Subscribe, async call =>
        {
            while (await call.ReadAsync(SubscribeRequest.Parser) is { } request)
            {
                serverReceived.Enqueue(request);
            }
        });
        using var connection = new GrpcConnection(server.HttpAddress);
        using DuplexCall<SubscribeRequest, SubscribeUpdate> call = connection.Duplex<SubscribeRequest, SubscribeUpdate>(GeyserTestServer.Subscribe);
        await call.RequestStream.WriteAsync(Updates.ClientPing(1));
        await call.RequestStream.CompleteAsync();

        Func<Task> write = () => call.RequestStream.WriteAsync(Updates.ClientPing(2));

        await write.Should().ThrowAsync<InvalidOperationException>();
        (await call.ResponseStream.MoveNext().OrHang()).Should().BeFalse();
        serverReceived.Select(r => r.Ping.Id).Should().Equal(1);
    }

    [Fact]
    public async Task A_trailers_only_rejection_of_subscribe_surfaces_on_the_first_read()
    {
        await using GeyserTestServer server = await GeyserTestServer.StartAsync();
        server.Handle(GeyserTestServer.Subscribe, call =>
        {
            call.TrailersOnly(StatusCode.PermissionDenied, "plan does not include Subscribe");
            return Task.CompletedTask;
        });
        using var connection = new GrpcConnection(server.HttpAddress);
        using DuplexCall<SubscribeRequest, SubscribeUpdate> call = connection.Duplex<SubscribeRequest, SubscribeUpdate>(GeyserTestServer.Subscribe);

        Func<Task> read = () => call.ResponseStream.MoveNext().OrHang();

        (await read.Should().ThrowAsync<GrpcException>()).Which.Detail.Should().Be("plan does not include Subscribe");
        call.GetStatus().StatusCode.Should().Be(StatusCode.PermissionDenied);
    }

    [Fact]
    public async Task Gzip_compressed_and_plain_updates_can_alternate_on_one_stream()
    {
        await using GeyserTestServer server = await GeyserTestServer.StartAsync();
        server.Handle(GeyserTestServer.Subscribe, async call =>
        {
            call.ResponseEncoding = "gzip";
            for (ulong slot = 1; slot <= 6; slot++)
            {
                await call.WriteAsync(Updates.Account(slot, dataLength: 3000), gzip: slot % 2 == 0);
            }
        });
        using var connection = new GrpcConnection(server.HttpAddress);
        using DuplexCall<SubscribeRequest, SubscribeUpdate> call = connection.Duplex<SubscribeRequest, SubscribeUpdate>(GeyserTestServer.Subscribe);

        List<SubscribeUpdate> updates = await call.ResponseStream.ReadAllAsync().ToListAsync();

        updates.Should().Equal(Enumerable.Range(1, 6).Select(slot => Updates.Account((ulong)slot, dataLength: 3000)));
    }

    [Fact]
    public async Task A_stalled_stream_past_its_deadline_fails_with_deadline_exceeded()
    {
        await using GeyserTestServer server = await GeyserTestServer.StartAsync();
        var serverCall = new TaskCompletionSource<ServerCall>(TaskCreationOptions.RunContinuationsAsynchronously);
        server.Handle(GeyserTestServer.Subscribe, async call =>
        {
            serverCall.TrySetResult(call);
            await call.WriteAsync(Updates.Account(1));
            await Task.Delay(Timeout.Infinite, call.Aborted);
        });
        using var connection = new GrpcConnection(server.HttpAddress);
        using DuplexCall<SubscribeRequest, SubscribeUpdate> call = connection.Duplex<SubscribeRequest, SubscribeUpdate>(
            GeyserTestServer.Subscribe, new CallOptions { Deadline = DateTime.UtcNow.AddSeconds(1) });

        var slots = new List<ulong>();
        Func<Task> readAll = async () =>
        {
            await foreach (SubscribeUpdate update in call.ResponseStream.ReadAllAsync())
            {
                slots.Add(update.Account.Slot);
            }
        };

        (await readAll.Should().ThrowAsync<GrpcException>()).Which.StatusCode.Should().Be(StatusCode.DeadlineExceeded);
        slots.Should().BeSubsetOf(new ulong[] { 1 }, "the server sent one update, then stalled");
        call.GetStatus().StatusCode.Should().Be(StatusCode.DeadlineExceeded);
        await (await serverCall.Task.OrHang()).ClientGone.OrHang();
    }

    [Fact]
    public async Task Disposing_a_running_call_cancels_it_and_the_server_sees_the_reset()
    {
        await using GeyserTestServer server = await GeyserTestServer.StartAsync();
        var serverCall = new TaskCompletionSource<ServerCall>(TaskCreationOptions.RunContinuationsAsynchronously);
        server.Handle(GeyserTestServer.Subscribe, async call =>
        {
            serverCall.TrySetResult(call);
            await call.WriteAsync(Updates.Account(1));
            await Task.Delay(Timeout.Infinite, call.Aborted);
        });
        using var connection = new GrpcConnection(server.HttpAddress);
        DuplexCall<SubscribeRequest, SubscribeUpdate> call = connection.Duplex<SubscribeRequest, SubscribeUpdate>(GeyserTestServer.Subscribe);
        (await call.ResponseStream.MoveNext().OrHang()).Should().BeTrue();
        Task<bool> pending = call.ResponseStream.MoveNext();

        call.Dispose();

        Func<Task> read = () => pending;
        (await read.Should().ThrowAsync<GrpcException>()).Which.StatusCode.Should().Be(StatusCode.Cancelled);
        await (await serverCall.Task.OrHang()).ClientGone.OrHang();
        call.GetStatus().StatusCode.Should().Be(StatusCode.Cancelled);
    }

    [Fact]
    public async Task Cancelling_a_read_cancels_the_call()
    {
        await using GeyserTestServer server = await GeyserTestServer.StartAsync();
        var serverCall = new TaskCompletionSource<ServerCall>(TaskCreationOptions.RunContinuationsAsynchronously);
        server.Handle(GeyserTestServer.Subscribe, async call =>
        {
            serverCall.TrySetResult(call);
            await Task.Delay(Timeout.Infinite, call.Aborted);
        });
        using var connection = new GrpcConnection(server.HttpAddress);
        using DuplexCall<SubscribeRequest, SubscribeUpdate> call = connection.Duplex<SubscribeRequest, SubscribeUpdate>(GeyserTestServer.Subscribe);
        using var cancellation = new CancellationTokenSource();
        Task<bool> pending = call.ResponseStream.MoveNext(cancellation.Token);
        ServerCall started = await serverCall.Task.OrHang();

        await cancellation.CancelAsync();

        Func<Task> read = () => pending;
        (await read.Should().ThrowAsync<GrpcException>()).Which.StatusCode.Should().Be(StatusCode.Cancelled);
        await started.ClientGone.OrHang();
        Func<Task> write = () => call.RequestStream.WriteAsync(Updates.ClientPing(1));
        (await write.Should().ThrowAsync<GrpcException>()).Which.StatusCode.Should().Be(StatusCode.Cancelled);
    }

    [Fact]
    public async Task Cancelling_the_calls_token_cancels_a_running_subscription()
    {
        await using GeyserTestServer server = await GeyserTestServer.StartAsync();
        server.Handle(GeyserTestServer.Subscribe, async call =>
        {
            for (ulong slot = 1; ; slot++)
            {
                await call.WriteAsync(Updates.Account(slot));
                await Task.Delay(10, call.Aborted);
            }
        });
        using var connection = new GrpcConnection(server.HttpAddress);
        using var cancellation = new CancellationTokenSource();
        using DuplexCall<SubscribeRequest, SubscribeUpdate> call = connection.Duplex<SubscribeRequest, SubscribeUpdate>(
            GeyserTestServer.Subscribe, new CallOptions { CancellationToken = cancellation.Token });

        var slots = new List<ulong>();
        Func<Task> readAll = async () =>
        {
            await foreach (SubscribeUpdate update in call.ResponseStream.ReadAllAsync())
            {
                slots.Add(update.Account.Slot);
                if (slots.Count == 3)
                {
                    await cancellation.CancelAsync();
                }
            }
        };

        (await readAll.Should().ThrowAsync<GrpcException>()).Which.StatusCode.Should().Be(StatusCode.Cancelled);
        slots.Should().StartWith(new ulong[] { 1, 2, 3 });
    }

    [Fact]
    public async Task A_message_over_the_receive_limit_on_a_stream_fails_with_resource_exhausted_and_resets_it()
    {
        await using GeyserTestServer server = await GeyserTestServer.StartAsync();
        var serverCall = new TaskCompletionSource<ServerCall>(TaskCreationOptions.RunContinuationsAsynchronously);
        server.Handle(GeyserTestServer.Subscribe, async call =>
        {
            serverCall.TrySetResult(call);
            await call.WriteAsync(Updates.Account(1, dataLength: 100));
            await call.WriteAsync(Updates.Account(2, dataLength: 200_000));
            await Task.Delay(Timeout.Infinite, call.Aborted);
        });
        using var connection = new GrpcConnection(server.HttpAddress, new GrpcConnectionOptions { MaxReceiveMessageSize = 100_000 });
        using DuplexCall<SubscribeRequest, SubscribeUpdate> call = connection.Duplex<SubscribeRequest, SubscribeUpdate>(GeyserTestServer.Subscribe);

        (await call.ResponseStream.MoveNext().OrHang()).Should().BeTrue();
        Func<Task> next = () => call.ResponseStream.MoveNext().OrHang();

        (await next.Should().ThrowAsync<GrpcException>()).Which.StatusCode.Should().Be(StatusCode.ResourceExhausted);
        await (await serverCall.Task.OrHang()).ClientGone.OrHang();
    }

    [Fact]
    public async Task A_request_over_the_send_limit_fails_that_write_only()
    {
        await using GeyserTestServer server = await GeyserTestServer.StartAsync();
        var serverReceived = new ConcurrentQueue<SubscribeRequest>();
        server.Handle(GeyserTestServer.Subscribe, async call =>
        {
            while (await call.ReadAsync(SubscribeRequest.Parser) is { } request)
            {
                serverReceived.Enqueue(request);
            }
        });
        using var connection = new GrpcConnection(server.HttpAddress, new GrpcConnectionOptions { MaxSendMessageSize = 20 });
        using DuplexCall<SubscribeRequest, SubscribeUpdate> call = connection.Duplex<SubscribeRequest, SubscribeUpdate>(GeyserTestServer.Subscribe);

        Func<Task> tooLarge = () => call.RequestStream.WriteAsync(Updates.Subscription());

        (await tooLarge.Should().ThrowAsync<GrpcException>()).Which.StatusCode.Should().Be(StatusCode.ResourceExhausted);
        await call.RequestStream.WriteAsync(Updates.ClientPing(5));
        await call.RequestStream.CompleteAsync();
        (await call.ResponseStream.MoveNext().OrHang()).Should().BeFalse();
        serverReceived.Select(r => r.Ping.Id).Should().Equal(5);
    }
}
