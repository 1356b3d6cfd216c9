using AccountGrains.Grpc.Tests.TestSupport;

using Geyser;

using Microsoft.AspNetCore.Http;

namespace AccountGrains.Grpc.Tests;

/// <summary>Everything that is not a clean gRPC status, mapped as the gRPC spec says, and never a hang.</summary>
public sealed class FailureMappingTests
{
    public static TheoryData<int, StatusCode> HttpStatuses => new()
    {
        { 400, StatusCode.Internal },
        { 401, StatusCode.Unauthenticated },
        { 403, StatusCode.PermissionDenied },
        { 404, StatusCode.Unimplemented },
        { 429, StatusCode.Unavailable },
        { 500, StatusCode.Unknown },
        { 502, StatusCode.Unavailable },
        { 503, StatusCode.Unavailable },
        { 504, StatusCode.Unavailable },
    };

    public static TheoryData<string, byte[], StatusCode, string> GarbageFrames => new()
    {
        { "truncated length prefix", [0, 0, 0], StatusCode.Internal, "length prefix (3 of 5 bytes)" },
        { "compressed flag 2", TestFraming.Frame([1, 2, 3], compressedFlag: 2), StatusCode.Internal, "invalid compressed flag 2" },
        { "compressed flag without grpc-encoding", TestFraming.Frame([1, 2, 3], compressedFlag: 1), StatusCode.Internal, "no grpc-encoding" },
        { "length beyond any message", TestFraming.Frame([1, 2, 3], declaredLength: 0xFFFF_FFF0), StatusCode.Internal, "invalid message length 4294967280" },
        { "length over the receive limit", TestFraming.Frame([1, 2, 3], declaredLength: 0x7FFF_0000), StatusCode.ResourceExhausted, "2147418112 > 67108864" },
        { "body shorter than its length", TestFraming.Frame([1, 2, 3], declaredLength: 100), StatusCode.Internal, "inside a message (3 of 100 bytes)" },
        { "bytes that are not protobuf", TestFraming.Frame([0xFF, 0xFF, 0xFF]), StatusCode.Internal, "could not be parsed as SubscribeUpdate" },
    };

    [Theory]
    [MemberData(nameof(HttpStatuses))]
    public async Task A_non_200_http_response_maps_to_the_specs_status(int httpStatus, StatusCode expected)
    {
        await using GeyserTestServer server = await GeyserTestServer.StartAsync();
        server.Handle(GeyserTestServer.Ping, async call =>
        {
            call.Response.StatusCode = httpStatus;
            call.Response.ContentType = "text/plain";
            await call.Response.WriteAsync("proxy says no");
            call.OmitStatus = true;
        });
        using var connection = new GrpcConnection(server.HttpAddress);

        Func<Task> act = () => connection.UnaryAsync<PingRequest, PongResponse>(GeyserTestServer.Ping, new PingRequest());

        GrpcException error = (await act.Should().ThrowAsync<GrpcException>()).Which;
        error.StatusCode.Should().Be(expected);
        error.Detail.Should().Contain($"HTTP {httpStatus}");
    }

    [Fact]
    public async Task A_200_response_that_is_not_grpc_fails_with_unknown_naming_the_content_type()
    {
        await using GeyserTestServer server = await GeyserTestServer.StartAsync();
        server.Handle(GeyserTestServer.Ping, async call =>
        {
            call.Response.ContentType = "text/html";
            await call.Response.WriteAsync("<html>login</html>");
            call.OmitStatus = true;
        });
        using var connection = new GrpcConnection(server.HttpAddress);

        Func<Task> act = () => connection.UnaryAsync<PingRequest, PongResponse>(GeyserTestServer.Ping, new PingRequest());

        GrpcException error = (await act.Should().ThrowAsync<GrpcException>()).Which;
        error.StatusCode.Should().Be(StatusCode.Unknown);
        error.Detail.Should().Contain("'text/html'");
    }

    [Fact]
    public async Task A_response_that_ends_without_trailers_fails_with_internal()
    {
        await using GeyserTestServer server = await GeyserTestServer.StartAsync();
        server.Handle(GeyserTestServer.Subscribe, async call =>
        {
            await call.WriteAsync(Updates.Account(1));
            call.OmitStatus = true;
        });
        using var connection = new GrpcConnection(server.HttpAddress);
        using DuplexCall<SubscribeRequest, SubscribeUpdate> call = connection.Duplex<SubscribeRequest, SubscribeUpdate>(GeyserTestServer.Subscribe);

        (await call.ResponseStream.MoveNext().OrHang()).Should().BeTrue();
        Func<Task> next = () => call.ResponseStream.MoveNext().OrHang();

        GrpcException error = (await next.Should().ThrowAsync<GrpcException>()).Which;
        error.StatusCode.Should().Be(StatusCode.Internal);
        error.Detail.Should().Contain("without a grpc-status");
    }

    [Theory]
    [MemberData(nameof(GarbageFrames))]
    public async Task A_garbage_frame_fails_the_stream_with_a_clear_status_after_the_good_updates(string garbage, byte[] bytes, StatusCode expected, string detail)
    {
        await using GeyserTestServer server = await GeyserTestServer.StartAsync();
        server.Handle(GeyserTestServer.Subscribe, async call =>
        {
            await call.WriteAsync(Updates.Account(1));
            await call.WriteRawAsync(bytes);
        });
        using var connection = new GrpcConnection(server.HttpAddress);
        using DuplexCall<SubscribeRequest, SubscribeUpdate> call = connection.Duplex<SubscribeRequest, SubscribeUpdate>(GeyserTestServer.Subscribe);

        (await call.ResponseStream.MoveNext().OrHang()).Should().BeTrue();
        Func<Task> next = () => call.ResponseStream.MoveNext().OrHang();

        GrpcException error = (await next.Should().ThrowAsync<GrpcException>(garbage)).Which;
        error.StatusCode.Should().Be(expected, garbage);
        error.Detail.Should().Contain(detail);
    }

    [Fact]
    public async Task A_server_that_resets_the_stream_midway_fails_the_call_with_internal_after_the_updates_before_it()
    {
        await using GeyserTestServer server = await GeyserTestServer.StartAsync();
        server.Handle(GeyserTestServer.Subscribe, async call =>
        {
            await call.WriteAsync(Updates.Account(1));
            await call.WriteAsync(Updates.Account(2));

            // Reset only once the client has both: HttpClient discards data it received but was not yet read.
            _ = await call.ReadAsync(SubscribeRequest.Parser);
            call.AbortStream();
        });
        using var connection = new GrpcConnection(server.HttpAddress);
        using DuplexCall<SubscribeRequest, SubscribeUpdate> call = connection.Duplex<SubscribeRequest, SubscribeUpdate>(GeyserTestServer.Subscribe);

        var slots = new List<ulong>();
        Func<Task> readAll = async () =>
        {
            await foreach (SubscribeUpdate update in call.ResponseStream.ReadAllAsync())
            {
                slots.Add(update.Account.Slot);
                if (slots.Count == 2)
                {
                    await call.RequestStream.WriteAsync(Updates.ClientPing(2));
                }
            }
        };

        GrpcException error = (await readAll.Should().ThrowAsync<GrpcException>()).Which;
        error.StatusCode.Should().Be(StatusCode.Internal, "RST_STREAM INTERNAL_ERROR maps to INTERNAL");
        error.Detail.Should().Contain("INTERNAL_ERROR");
        slots.Should().Equal(1, 2);
    }

    [Fact]
    public async Task A_dropped_connection_fails_the_stream_with_unavailable_and_later_calls_reconnect()
    {
        await using GeyserTestServer server = await GeyserTestServer.StartAsync();
        server.Handle(GeyserTestServer.Subscribe, async call =>
        {
            await call.WriteAsync(Updates.Account(1));
            _ = await call.ReadAsync(SubscribeRequest.Parser);
            call.DropConnection();
        });
        using var connection = new GrpcConnection(server.HttpAddress);
        using DuplexCall<SubscribeRequest, SubscribeUpdate> call = connection.Duplex<SubscribeRequest, SubscribeUpdate>(GeyserTestServer.Subscribe);

        (await call.ResponseStream.MoveNext().OrHang()).Should().BeTrue();
        await call.RequestStream.WriteAsync(Updates.ClientPing(1));
        Func<Task> next = () => call.ResponseStream.MoveNext().OrHang();

        (await next.Should().ThrowAsync<GrpcException>()).Which.StatusCode.Should().Be(StatusCode.Unavailable);

        // A call racing HttpClient's discovery of the dead connection may still fail, with UNAVAILABLE; a retry
        // (what a Geyser client does anyway) gets a new connection.
        PongResponse? pong = null;
        for (int attempt = 0; attempt < 3 && pong is null; attempt++)
        {
            try
            {
                pong = await connection.UnaryAsync<PingRequest, PongResponse>(GeyserTestServer.Ping, new PingRequest { Count = 3 });
            }
            catch (GrpcException ex) when (ex.StatusCode == StatusCode.Unavailable)
            {
            }
        }

        pong.Should().NotBeNull();
        pong!.Count.Should().Be(3);
        server.Calls.Select(c => c.ConnectionId).Distinct().Should().HaveCountGreaterThan(1, "the ping went over a new connection");
    }

    [Fact]
    public async Task A_server_that_goes_away_mid_unary_call_fails_it_with_unavailable()
    {
        await using GeyserTestServer server = await GeyserTestServer.StartAsync();
        server.Handle(GeyserTestServer.GetSlot, async call =>
        {
            await call.StartAsync();
            call.DropConnection();
        });
        using var connection = new GrpcConnection(server.HttpAddress);

        Func<Task> act = () => connection.UnaryAsync<GetSlotRequest, GetSlotResponse>(GeyserTestServer.GetSlot, new GetSlotRequest());

        (await act.Should().ThrowAsync<GrpcException>()).Which.StatusCode.Should().Be(StatusCode.Unavailable);
    }

    [Fact]
    public async Task Writing_to_a_call_the_server_has_refused_fails_with_a_grpc_error_and_the_reader_gets_the_status()
    {
        // The server ends the call at once; the client's first write races the end of the HTTP/2 stream. Whichever
        // wins, the write fails as a GrpcException (never the transport's ObjectDisposedException) or succeeds, and the
        // response carries the server's status.
        await using GeyserTestServer server = await GeyserTestServer.StartAsync();
        server.Handle(GeyserTestServer.Subscribe, call =>
        {
            call.TrailersOnly(StatusCode.Unauthenticated, "x-token is missing");
            return Task.CompletedTask;
        });
        using var connection = new GrpcConnection(server.HttpAddress);

        for (var i = 0; i < 100; i++)
        {
            using DuplexCall<SubscribeRequest, SubscribeUpdate> call = connection.Duplex<SubscribeRequest, SubscribeUpdate>(GeyserTestServer.Subscribe);
            Exception? writeError = null;
            for (var write = 0; write < 3 && writeError is null; write++)
            {
                try
                {
                    await call.RequestStream.WriteAsync(Updates.Subscription());
                }
                catch (Exception e)
                {
                    writeError = e;
                }
            }

            writeError?.Should().BeOfType<GrpcException>();
            Func<Task> read = () => call.ResponseStream.MoveNext();
            (await read.Should().ThrowAsync<GrpcException>()).Which.StatusCode.Should().Be(StatusCode.Unauthenticated);
        }
    }
}
