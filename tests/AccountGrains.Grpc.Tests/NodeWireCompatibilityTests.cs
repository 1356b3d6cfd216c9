using System.Text.Json;

using AccountGrains.Grpc.Tests.TestSupport;

using Geyser;

using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;

namespace AccountGrains.Grpc.Tests;

/// <summary>
/// The client against independent code: a Geyser server on the official @grpc/grpc-js (node/geyser-server.mjs).
/// The expected values are rebuilt here from the script's rules and compared field by field.
/// </summary>
public sealed class NodeWireCompatibilityTests(NodeGeyserServer node) : IClassFixture<NodeGeyserServer>
{
    private static readonly Timestamp CreatedAt = new() { Seconds = 1_700_000_000, Nanos = 123_456_789 };

    [Fact]
    public async Task Subscribe_against_grpc_js_decodes_every_field_of_every_update_exactly()
    {
        using var connection = new GrpcConnection(node.Address);
        using DuplexCall<SubscribeRequest, SubscribeUpdate> call = connection.Duplex<SubscribeRequest, SubscribeUpdate>(
            "/geyser.Geyser/Subscribe", new CallOptions { Headers = new Metadata().Add("x-token", "node-token") });
        var request = new SubscribeRequest
        {
            Accounts =
            {
                ["tokens"] = new SubscribeRequestFilterAccounts { Owner = { "TokenkegQfeZyiNwAJbNbGKPFXCWuBvf9Ss623VQ5DA" } },
                ["votes"] = new SubscribeRequestFilterAccounts { Owner = { "Vote111111111111111111111111111111111111111" } },
            },
            Commitment = CommitmentLevel.Finalized,
            FromSlot = 18_446_744_073_709_551_000,
        };

        await call.RequestStream.WriteAsync(request);
        var updates = new List<SubscribeUpdate>();
        for (int i = 0; i < 5; i++)
        {
            (await call.ResponseStream.MoveNext().OrHang()).Should().BeTrue();
            updates.Add(call.ResponseStream.Current);
        }

        string[] filters = ["tokens", "votes"];
        for (int i = 0; i < 3; i++)
        {
            SubscribeUpdate expected = ExpectedAccountUpdate(i, filters);
            updates[i].Should().Be(expected, $"account update {i} must decode exactly");
        }

        updates[0].Account.Account.HasTxnSignature.Should().BeTrue();
        updates[1].Account.Account.HasTxnSignature.Should().BeFalse("the optional field was absent on the wire");
        updates[2].Account.Account.Data.Length.Should().Be(70_000, "a message larger than one HTTP/2 frame reassembles");
        updates[3].Should().Be(new SubscribeUpdate
        {
            Filters = { filters },
            Slot = new SubscribeUpdateSlot
            {
                Slot = 18_446_744_073_709_551_000,
                Parent = 18_446_744_073_709_550_999,
                Status = SlotStatus.SlotConfirmed,
                DeadError = "commitment=FINALIZED owners=TokenkegQfeZyiNwAJbNbGKPFXCWuBvf9Ss623VQ5DA,Vote111111111111111111111111111111111111111",
            },
            CreatedAt = CreatedAt,
        });
        updates[4].Should().Be(new SubscribeUpdate { Filters = { filters }, Ping = new SubscribeUpdatePing(), CreatedAt = CreatedAt });

        await call.RequestStream.WriteAsync(new SubscribeRequest { Ping = new SubscribeRequestPing { Id = 4242 } });
        (await call.ResponseStream.MoveNext().OrHang()).Should().BeTrue();
        call.ResponseStream.Current.Should().Be(new SubscribeUpdate { Pong = new SubscribeUpdatePong { Id = 4242 } });

        await call.RequestStream.CompleteAsync();
        (await call.ResponseStream.MoveNext().OrHang()).Should().BeFalse("grpc-js ends the call with OK once the client half-closes");
        call.GetStatus().StatusCode.Should().Be(StatusCode.OK);
    }

    [Fact]
    public async Task Unary_Ping_and_GetVersion_against_grpc_js_round_trip_and_metadata_arrives()
    {
        using var connection = new GrpcConnection(node.Address);
        var options = new CallOptions { Headers = new Metadata().Add("x-token", "node-token-123") };

        PongResponse pong = await connection.UnaryAsync<PingRequest, PongResponse>("/geyser.Geyser/Ping", new PingRequest { Count = 41 }, options);
        GetVersionResponse version = await connection.UnaryAsync<GetVersionRequest, GetVersionResponse>("/geyser.Geyser/GetVersion", new GetVersionRequest(), options);

        pong.Count.Should().Be(42);
        using JsonDocument json = JsonDocument.Parse(version.Version);
        json.RootElement.GetProperty("server").GetString().Should().Be("grpc-js");
        json.RootElement.GetProperty("token").GetString().Should().Be("node-token-123");
    }

    [Fact]
    public async Task An_error_from_grpc_js_keeps_its_code_and_its_percent_encoded_unicode_message()
    {
        using var connection = new GrpcConnection(node.Address);

        Func<Task> act = () => connection.UnaryAsync<GetSlotRequest, GetSlotResponse>("/geyser.Geyser/GetSlot", new GetSlotRequest());

        GrpcException error = (await act.Should().ThrowAsync<GrpcException>()).Which;
        error.StatusCode.Should().Be(StatusCode.OutOfRange);
        error.Detail.Should().Be("from_slot too old: 100% gone — ✓ ünïcode; a,b/c?d=e");
    }

    [Fact]
    public async Task A_deadline_against_a_grpc_js_method_that_never_answers_ends_with_deadline_exceeded()
    {
        using var connection = new GrpcConnection(node.Address);

        Func<Task> act = () => connection.UnaryAsync<GetBlockHeightRequest, GetBlockHeightResponse>(
            "/geyser.Geyser/GetBlockHeight", new GetBlockHeightRequest(), new CallOptions { Deadline = DateTime.UtcNow.AddMilliseconds(500) });

        (await act.Should().ThrowAsync<GrpcException>()).Which.StatusCode.Should().Be(StatusCode.DeadlineExceeded);
    }

    [Fact]
    public async Task An_unknown_method_on_grpc_js_fails_with_unimplemented()
    {
        using var connection = new GrpcConnection(node.Address);

        Func<Task> act = () => connection.UnaryAsync<GetVersionRequest, GetVersionResponse>("/geyser.Geyser/NoSuchMethod", new GetVersionRequest());

        (await act.Should().ThrowAsync<GrpcException>()).Which.StatusCode.Should().Be(StatusCode.Unimplemented);
    }

    /// <summary>The bytes node/geyser-server.mjs builds: byte j of pattern(seed, n) is (seed * 31 + j * 7) mod 256.</summary>
    private static ByteString Pattern(int seed, int length)
    {
        var bytes = new byte[length];
        for (int j = 0; j < length; j++)
        {
            bytes[j] = (byte)((seed * 31) + (j * 7));
        }

        return ByteString.CopyFrom(bytes);
    }

    private static SubscribeUpdate ExpectedAccountUpdate(int i, string[] filters)
    {
        var info = new SubscribeUpdateAccountInfo
        {
            Pubkey = Pattern(i + 1, 32),
            Lamports = i == 2 ? ulong.MaxValue : 1_000_000_000UL * (ulong)(i + 1),
            Owner = Pattern(100 + i, 32),
            Executable = i == 1,
            RentEpoch = ulong.MaxValue,
            Data = Pattern(200 + i, new[] { 0, 165, 70_000 }[i]),
            WriteVersion = 9_007_199_254_740_993UL + (ulong)i,
        };
        if (i == 0)
        {
            info.TxnSignature = Pattern(300, 64);
        }

        return new SubscribeUpdate
        {
            Filters = { filters },
            Account = new SubscribeUpdateAccount { Account = info, Slot = 300_000_000UL + (ulong)i, IsStartup = i == 0 },
            CreatedAt = CreatedAt,
        };
    }
}
