using Geyser;

namespace AccountGrains.Grpc.Tests;

public sealed class UnaryCallTests
{
    [Fact]
    public async Task Ping_round_trips_the_request_and_the_response()
    {
        await using GeyserTestServer server = await GeyserTestServer.StartAsync();
        using var connection = new GrpcConnection(server.HttpAddress);

        PongResponse pong = await connection.UnaryAsync<PingRequest, PongResponse>(GeyserTestServer.Ping, new PingRequest { Count = 42 });

        pong.Count.Should().Be(42);
    }

    [Fact]
    public async Task GetSlot_returns_the_servers_slot_and_many_calls_share_one_connection()
    {
        await using GeyserTestServer server = await GeyserTestServer.StartAsync();
        using var connection = new GrpcConnection(server.HttpAddress);

        await connection.UnaryAsync<PingRequest, PongResponse>(GeyserTestServer.Ping, new PingRequest());
        GetSlotResponse[] responses = await Task.WhenAll(Enumerable.Range(0, 20).Select(_ =>
            connection.UnaryAsync<GetSlotRequest, GetSlotResponse>(GeyserTestServer.GetSlot, new GetSlotRequest { Commitment = CommitmentLevel.Confirmed })));

        responses.Should().HaveCount(20).And.AllSatisfy(r => r.Slot.Should().Be(GeyserTestServer.DefaultSlot));
        server.Calls.Select(c => c.ConnectionId).Distinct().Should().ContainSingle("HTTP/2 multiplexes the calls over one connection");
    }

    [Fact]
    public async Task A_call_sends_the_headers_the_grpc_protocol_requires()
    {
        await using GeyserTestServer server = await GeyserTestServer.StartAsync();
        using var connection = new GrpcConnection(server.HttpAddress);

        await connection.UnaryAsync<PingRequest, PongResponse>(GeyserTestServer.Ping, new PingRequest { Count = 1 });

        IReadOnlyDictionary<string, string> headers = server.Calls.Single().RequestHeaders;
        headers["content-type"].Should().Be("application/grpc");
        headers["te"].Should().Be("trailers");
        headers["grpc-accept-encoding"].Split(',').Should().Contain("gzip");
        headers.Should().NotContainKey("grpc-timeout", "no deadline was set");
        server.Calls.Single().Method.Should().Be("/geyser.Geyser/Ping");
    }

    [Fact]
    public async Task Metadata_reaches_the_server_and_its_values_never_reach_the_log()
    {
        const string token = "s3cr3t-token-value-0123456789";
        await using GeyserTestServer server = await GeyserTestServer.StartAsync();
        var logger = new CapturingLogger();
        using var connection = new GrpcConnection(server.HttpAddress, new GrpcConnectionOptions { Logger = logger });
        var options = new CallOptions { Headers = new Metadata().Add("x-token", token).Add("x-request-id", "abc") };

        await connection.UnaryAsync<PingRequest, PongResponse>(GeyserTestServer.Ping, new PingRequest { Count = 1 }, options);
        server.Handle(GeyserTestServer.GetSlot, call =>
        {
            call.TrailersOnly(StatusCode.Unauthenticated, "bad token");
            return Task.CompletedTask;
        });
        Func<Task> failing = () => connection.UnaryAsync<GetSlotRequest, GetSlotResponse>(GeyserTestServer.GetSlot, new GetSlotRequest(), options);
        await failing.Should().ThrowAsync<GrpcException>();

        server.Calls.Should().AllSatisfy(call => call.RequestHeaders["x-token"].Should().Be(token));
        logger.Lines.Should().Contain(line => line.Contains("/geyser.Geyser/Ping", StringComparison.Ordinal) && line.Contains("x-token", StringComparison.Ordinal));
        logger.Lines.Should().Contain(line => line.Contains("Unauthenticated", StringComparison.Ordinal));
        logger.Lines.Should().NotContain(line => line.Contains(token, StringComparison.Ordinal));
    }

    [Fact]
    public async Task An_error_status_in_the_trailers_becomes_a_GrpcException_with_the_percent_decoded_message_and_trailers()
    {
        await using GeyserTestServer server = await GeyserTestServer.StartAsync();
        server.Handle(GeyserTestServer.GetSlot, async call =>
        {
            await call.StartAsync();
            call.EndWithStatus(StatusCode.OutOfRange, "from_slot too old: 100% gone — ✓", ("x-first-available", "287000000"));
        });
        using var connection = new GrpcConnection(server.HttpAddress);

        Func<Task> act = () => connection.UnaryAsync<GetSlotRequest, GetSlotResponse>(GeyserTestServer.GetSlot, new GetSlotRequest());

        GrpcException error = (await act.Should().ThrowAsync<GrpcException>()).Which;
        error.StatusCode.Should().Be(StatusCode.OutOfRange);
        error.Detail.Should().Be("from_slot too old: 100% gone — ✓");
        error.Trailers.GetValue("x-first-available").Should().Be("287000000");
    }

    [Fact]
    public async Task A_trailers_only_response_takes_its_status_from_the_headers()
    {
        await using GeyserTestServer server = await GeyserTestServer.StartAsync();
        server.Handle(GeyserTestServer.Ping, call =>
        {
            call.TrailersOnly(StatusCode.Unauthenticated, "x-token is missing");
            return Task.CompletedTask;
        });
        using var connection = new GrpcConnection(server.HttpAddress);

        Func<Task> act = () => connection.UnaryAsync<PingRequest, PongResponse>(GeyserTestServer.Ping, new PingRequest());

        GrpcException error = (await act.Should().ThrowAsync<GrpcException>()).Which;
        error.StatusCode.Should().Be(StatusCode.Unauthenticated);
        error.Detail.Should().Be("x-token is missing");
    }

    [Fact]
    public async Task An_unknown_method_fails_with_unimplemented()
    {
        await using GeyserTestServer server = await GeyserTestServer.StartAsync();
        using var connection = new GrpcConnection(server.HttpAddress);

        Func<Task> act = () => connection.UnaryAsync<GetVersionRequest, GetVersionResponse>("/geyser.Geyser/NoSuchMethod", new GetVersionRequest());

        (await act.Should().ThrowAsync<GrpcException>()).Which.StatusCode.Should().Be(StatusCode.Unimplemented);
    }

    [Fact]
    public async Task A_server_that_stalls_past_the_deadline_fails_the_call_with_deadline_exceeded_and_sees_the_reset()
    {
        await using GeyserTestServer server = await GeyserTestServer.StartAsync();
        var stalled = new TaskCompletionSource<ServerCall>(TaskCreationOptions.RunContinuationsAsynchronously);
        server.Handle(GeyserTestServer.GetSlot, async call =>
        {
            stalled.TrySetResult(call);
            await Task.Delay(Timeout.Infinite, call.Aborted);
        });
        using var connection = new GrpcConnection(server.HttpAddress);

        Func<Task> act = () => connection.UnaryAsync<GetSlotRequest, GetSlotResponse>(
            GeyserTestServer.GetSlot, new GetSlotRequest(), new CallOptions { Deadline = DateTime.UtcNow.AddSeconds(1) });

        (await act.Should().ThrowAsync<GrpcException>()).Which.StatusCode.Should().Be(StatusCode.DeadlineExceeded);
        ServerCall serverCall = await stalled.Task.OrHang();
        serverCall.RequestHeaders["grpc-timeout"].Should().MatchRegex("^[0-9]{1,8}[HMSmun]$");
        await serverCall.ClientGone.OrHang();
    }

    [Fact]
    public async Task A_deadline_months_away_is_sent_to_the_server_and_the_call_succeeds()
    {
        await using GeyserTestServer server = await GeyserTestServer.StartAsync();
        using var connection = new GrpcConnection(server.HttpAddress);

        PongResponse pong = await connection.UnaryAsync<PingRequest, PongResponse>(
            GeyserTestServer.Ping, new PingRequest { Count = 5 }, new CallOptions { Deadline = DateTime.UtcNow.AddDays(100) });

        pong.Count.Should().Be(5);
        server.Calls.Single().RequestHeaders["grpc-timeout"].Should().MatchRegex("^86[0-9]{5}S$");
    }

    [Fact]
    public async Task A_deadline_already_past_fails_without_contacting_the_server()
    {
        await using GeyserTestServer server = await GeyserTestServer.StartAsync();
        using var connection = new GrpcConnection(server.HttpAddress);

        Func<Task> act = () => connection.UnaryAsync<PingRequest, PongResponse>(
            GeyserTestServer.Ping, new PingRequest(), new CallOptions { Deadline = DateTime.UtcNow.AddSeconds(-1) });

        (await act.Should().ThrowAsync<GrpcException>()).Which.StatusCode.Should().Be(StatusCode.DeadlineExceeded);
        server.Calls.Should().BeEmpty();
    }

    [Fact]
    public async Task Cancelling_the_token_fails_the_call_with_cancelled_and_resets_the_stream()
    {
        await using GeyserTestServer server = await GeyserTestServer.StartAsync();
        var stalled = new TaskCompletionSource<ServerCall>(TaskCreationOptions.RunContinuationsAsynchronously);
        server.Handle(GeyserTestServer.GetSlot, async call =>
        {
            stalled.TrySetResult(call);
            await Task.Delay(Timeout.Infinite, call.Aborted);
        });
        using var connection = new GrpcConnection(server.HttpAddress);
        using var cancellation = new CancellationTokenSource();

        Task<GetSlotResponse> pending = connection.UnaryAsync<GetSlotRequest, GetSlotResponse>(
            GeyserTestServer.GetSlot, new GetSlotRequest(), new CallOptions { CancellationToken = cancellation.Token });
        ServerCall serverCall = await stalled.Task.OrHang();
        await cancellation.CancelAsync();

        Func<Task> act = () => pending;
        (await act.Should().ThrowAsync<GrpcException>()).Which.StatusCode.Should().Be(StatusCode.Cancelled);
        await serverCall.ClientGone.OrHang();
    }

    [Fact]
    public async Task A_response_larger_than_the_receive_limit_fails_with_resource_exhausted()
    {
        await using GeyserTestServer server = await GeyserTestServer.StartAsync();
        server.Handle(GeyserTestServer.GetVersion, call => call.WriteAsync(new GetVersionResponse { Version = new string('v', 2000) }));
        using var connection = new GrpcConnection(server.HttpAddress, new GrpcConnectionOptions { MaxReceiveMessageSize = 1000 });

        Func<Task> act = () => connection.UnaryAsync<GetVersionRequest, GetVersionResponse>(GeyserTestServer.GetVersion, new GetVersionRequest());

        GrpcException error = (await act.Should().ThrowAsync<GrpcException>()).Which;
        error.StatusCode.Should().Be(StatusCode.ResourceExhausted);
        error.Detail.Should().Contain("2003 > 1000");
    }

    [Fact]
    public async Task A_request_larger_than_the_send_limit_fails_with_resource_exhausted_before_anything_is_sent()
    {
        await using GeyserTestServer server = await GeyserTestServer.StartAsync();
        using var connection = new GrpcConnection(server.HttpAddress, new GrpcConnectionOptions { MaxSendMessageSize = 10 });

        Func<Task> act = () => connection.UnaryAsync<IsBlockhashValidRequest, IsBlockhashValidResponse>(
            "/geyser.Geyser/IsBlockhashValid", new IsBlockhashValidRequest { Blockhash = "4sGjMW1sUnHzSxGspuhpqLDx6wiyjNtZAMdL4VZHirAn" });

        (await act.Should().ThrowAsync<GrpcException>()).Which.StatusCode.Should().Be(StatusCode.ResourceExhausted);
        server.Calls.Should().BeEmpty();
    }

    [Fact]
    public async Task A_gzip_compressed_response_is_decompressed()
    {
        await using GeyserTestServer server = await GeyserTestServer.StartAsync();
        string version = string.Concat(Enumerable.Repeat("yellowstone-grpc 9.9.9; ", 200));
        server.Handle(GeyserTestServer.GetVersion, call =>
        {
            call.ResponseEncoding = "gzip";
            return call.WriteAsync(new GetVersionResponse { Version = version }, gzip: true);
        });
        using var connection = new GrpcConnection(server.HttpAddress);

        GetVersionResponse response = await connection.UnaryAsync<GetVersionRequest, GetVersionResponse>(GeyserTestServer.GetVersion, new GetVersionRequest());

        response.Version.Should().Be(version);
    }

    [Fact]
    public async Task A_gzip_message_that_inflates_past_the_receive_limit_fails_with_resource_exhausted()
    {
        await using GeyserTestServer server = await GeyserTestServer.StartAsync();
        server.Handle(GeyserTestServer.GetVersion, call =>
        {
            call.ResponseEncoding = "gzip";
            return call.WriteAsync(new GetVersionResponse { Version = new string('0', 1_000_000) }, gzip: true);
        });
        using var connection = new GrpcConnection(server.HttpAddress, new GrpcConnectionOptions { MaxReceiveMessageSize = 64 * 1024 });

        Func<Task> act = () => connection.UnaryAsync<GetVersionRequest, GetVersionResponse>(GeyserTestServer.GetVersion, new GetVersionRequest());

        GrpcException error = (await act.Should().ThrowAsync<GrpcException>()).Which;
        error.StatusCode.Should().Be(StatusCode.ResourceExhausted);
        error.Detail.Should().Contain("Decompressed");
    }

    [Fact]
    public async Task A_compressed_message_in_an_unknown_encoding_fails_with_a_clear_error()
    {
        await using GeyserTestServer server = await GeyserTestServer.StartAsync();
        server.Handle(GeyserTestServer.GetVersion, call =>
        {
            call.ResponseEncoding = "snappy";
            return call.WriteAsync(new GetVersionResponse { Version = "x" }, gzip: true);
        });
        using var connection = new GrpcConnection(server.HttpAddress);

        Func<Task> act = () => connection.UnaryAsync<GetVersionRequest, GetVersionResponse>(GeyserTestServer.GetVersion, new GetVersionRequest());

        GrpcException error = (await act.Should().ThrowAsync<GrpcException>()).Which;
        error.StatusCode.Should().Be(StatusCode.Unimplemented);
        error.Detail.Should().Contain("'snappy'").And.Contain("gzip");
    }

    [Fact]
    public async Task A_server_that_ends_ok_without_a_response_message_fails_the_unary_call_with_internal()
    {
        await using GeyserTestServer server = await GeyserTestServer.StartAsync();
        server.Handle(GeyserTestServer.GetSlot, call => call.StartAsync());
        using var connection = new GrpcConnection(server.HttpAddress);

        Func<Task> act = () => connection.UnaryAsync<GetSlotRequest, GetSlotResponse>(GeyserTestServer.GetSlot, new GetSlotRequest());

        GrpcException error = (await act.Should().ThrowAsync<GrpcException>()).Which;
        error.StatusCode.Should().Be(StatusCode.Internal);
        error.Detail.Should().Contain("no response message");
    }

    [Fact]
    public async Task Nothing_listening_on_the_port_fails_with_unavailable()
    {
        Uri address;
        await using (GeyserTestServer server = await GeyserTestServer.StartAsync())
        {
            address = server.HttpAddress;
        }

        using var connection = new GrpcConnection(address);

        Func<Task> act = () => connection.UnaryAsync<PingRequest, PongResponse>(GeyserTestServer.Ping, new PingRequest());

        (await act.Should().ThrowAsync<GrpcException>()).Which.StatusCode.Should().Be(StatusCode.Unavailable);
    }
}
