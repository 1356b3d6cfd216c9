using AccountGrains.Runtime.Messaging;
using AccountGrains.Runtime.Messaging.Wire;
using AccountGrains.Runtime.Tests.TestSupport;

namespace AccountGrains.Runtime.Tests.Messaging.Wire;

public sealed class GrainReplyCodecTests
{
    public static TheoryData<string, object?> EveryResult() => new()
    {
        { nameof(IAccountGrain.ApplyAsync), null },
        { nameof(IAccountGrain.ApplyAndReportAsync), ApplyOutcome.Applied },
        { nameof(IAccountGrain.ApplyAndReportAsync), ApplyOutcome.Duplicate },
        { nameof(IAccountGrain.ApplyAndReportAsync), ApplyOutcome.Stale },
        { nameof(IAccountGrain.GetSnapshotAsync), new AccountSnapshot(WireSamples.Usdc, WireSamples.State(), SnapshotSource.Realtime) },
        { nameof(IAccountGrain.GetSnapshotAsync), new AccountSnapshot(WireSamples.Usdc, null, SnapshotSource.Database) },
        { nameof(IAccountGrain.GetSnapshotAsync), new AccountSnapshot(WireSamples.Usdc, WireSamples.State(data: [], lamports: 0, signature: null, decoded: WireSamples.Undecodable()), SnapshotSource.Cache) },
        { nameof(IAccountGrain.GetSnapshotAsync), new AccountSnapshot(WireSamples.Usdc, WireSamples.State(data: WireSamples.TokenAccountData(10 * 1024 * 1024)), SnapshotSource.Cache) },
        { nameof(IGeyserIngestGrain.StartAsync), null },
        { nameof(IGeyserIngestGrain.GetStatusAsync), WireSamples.Status() },
        { nameof(IGeyserIngestGrain.GetStatusAsync), new IngestStatus("replay samples/replay/sample.jsonl", false, true, 0, 0, 0, "file ended") },
        { nameof(IGeyserIngestGrain.AddInterestAsync), true },
        { nameof(IGeyserIngestGrain.RemoveInterestAsync), false },
        { nameof(IGeyserIngestGrain.GetInterestAsync), new List<Interest> { Interest.Account(WireSamples.Usdc), WireSamples.ProgramInterest(), Interest.Wallet("9WzDXwBbmkg8ZTbNMqUxvQRAyrZzDsGYdLVL9zYtAWWM") } },
        { nameof(IGeyserIngestGrain.GetInterestAsync), new List<Interest>() },
        { nameof(IGeyserIngestGrain.GetSubscriptionsAsync), WireSamples.Subscriptions() },
    };

    [Theory]
    [MemberData(nameof(EveryResult))]
    public void Every_result_type_round_trips(string methodName, object? result)
    {
        var method = GrainMethod.For(typeof(IAccountGrain).GetMethod(methodName) ?? typeof(IGeyserIngestGrain).GetMethod(methodName)!);

        var reply = GrainReplyCodec.Decode(GrainReplyCodec.EncodeResult(method, result), method);

        reply.IsSuccess.Should().BeTrue();
        reply.Exception.Should().BeNull();
        if (result is null)
        {
            reply.Result.Should().BeNull();
        }
        else
        {
            reply.Result.Should().BeEquivalentTo(result, WireSamples.ByMembers);
        }
    }

    [Fact]
    public void A_snapshot_keeps_exact_u64_values_and_field_bytes()
    {
        var method = WireSamples.GrainMethodOf<IAccountGrain>(nameof(IAccountGrain.GetSnapshotAsync));
        var state = WireSamples.State();

        var snapshot = (AccountSnapshot)GrainReplyCodec.Decode(GrainReplyCodec.EncodeResult(method, new AccountSnapshot(state.Pubkey, state, SnapshotSource.Cache)), method).Result!;

        snapshot.State!.WriteVersion.Should().Be(ulong.MaxValue);
        snapshot.State.Slot.Should().Be(ulong.MaxValue - 1);
        snapshot.State.RentEpoch.Should().Be(ulong.MaxValue);
        snapshot.State.Token.Should().Be(state.Token);
        snapshot.State.Decoded.FieldsJson.Should().Equal(state.Decoded.FieldsJson);
        snapshot.State.Decoded.IsDecoded.Should().BeTrue();
    }

    [Fact]
    public void Results_of_test_grains_round_trip()
    {
        var ints = WireSamples.GrainMethodOf<ITurnGrain>(nameof(ITurnGrain.GetAppendedAsync));
        var guid = WireSamples.GrainMethodOf<ICounterGrain>(nameof(ICounterGrain.GetInstanceIdAsync));
        var id = Guid.NewGuid();

        GrainReplyCodec.Decode(GrainReplyCodec.EncodeResult(ints, new[] { 1, -1, int.MaxValue }), ints).Result.Should().BeEquivalentTo(new[] { 1, -1, int.MaxValue });
        GrainReplyCodec.Decode(GrainReplyCodec.EncodeResult(ints, Array.Empty<int>()), ints).Result.Should().BeEquivalentTo(Array.Empty<int>());
        GrainReplyCodec.Decode(GrainReplyCodec.EncodeResult(guid, id), guid).Result.Should().Be(id);
    }

    public static TheoryData<Exception, Type> RebuiltExceptions() => new()
    {
        { new ArgumentException("pubkey 'abc' is not valid base58 (32 bytes expected)", "pubkey"), typeof(ArgumentException) },
        { new ArgumentException("no parameter"), typeof(ArgumentException) },
        { new ArgumentNullException("interest"), typeof(ArgumentNullException) },
        { new ArgumentOutOfRangeException("count", "must be positive"), typeof(ArgumentOutOfRangeException) },
        { new InvalidOperationException("the interest set is full (1000 entries)"), typeof(InvalidOperationException) },
        { new KeyNotFoundException("no account 'abc'"), typeof(KeyNotFoundException) },
        { new TimeoutException("the turn took longer than 30 s"), typeof(TimeoutException) },
    };

    [Theory]
    [MemberData(nameof(RebuiltExceptions))]
    public void Known_exceptions_are_rebuilt_as_themselves(Exception thrown, Type expected)
    {
        var method = WireSamples.GrainMethodOf<IGeyserIngestGrain>(nameof(IGeyserIngestGrain.AddInterestAsync));

        var reply = GrainReplyCodec.Decode(GrainReplyCodec.EncodeException(thrown), method);

        reply.IsSuccess.Should().BeFalse();
        reply.Exception.Should().BeOfType(expected);
        reply.Exception!.Message.Should().Be(thrown.Message);
        if (thrown is ArgumentException argument)
        {
            ((ArgumentException)reply.Exception).ParamName.Should().Be(argument.ParamName);
        }
    }

    [Fact]
    public void Other_exceptions_arrive_as_grain_call_exceptions_with_the_remote_type()
    {
        var method = WireSamples.GrainMethodOf<IAccountGrain>(nameof(IAccountGrain.ApplyAsync));

        var io = GrainReplyCodec.Decode(GrainReplyCodec.EncodeException(new IOException("disk full")), method).Exception;
        var disposed = GrainReplyCodec.Decode(GrainReplyCodec.EncodeException(new ObjectDisposedException("store")), method).Exception;
        var derivedArgument = GrainReplyCodec.Decode(GrainReplyCodec.EncodeException(new System.Text.DecoderFallbackException("bad byte")), method).Exception;

        io.Should().BeOfType<GrainCallException>().Which.RemoteType.Should().Be("System.IO.IOException");
        io!.Message.Should().Be("disk full");
        disposed.Should().BeOfType<GrainCallException>().Which.RemoteType.Should().Be("System.ObjectDisposedException");
        disposed!.Message.Should().Be(new ObjectDisposedException("store").Message);
        derivedArgument.Should().BeOfType<GrainCallException>().Which.Message.Should().Be("bad byte");
    }

    [Fact]
    public void A_huge_exception_message_is_cut()
    {
        var method = WireSamples.GrainMethodOf<IAccountGrain>(nameof(IAccountGrain.ApplyAsync));

        var exception = GrainReplyCodec.Decode(GrainReplyCodec.EncodeException(new InvalidOperationException(new string('x', 100_000))), method).Exception;

        exception!.Message.Length.Should().Be(GrainReplyCodec.MaxMessageLength + 1);
    }

    [Fact]
    public void A_reply_completes_the_caller_sink()
    {
        var method = WireSamples.GrainMethodOf<IGeyserIngestGrain>(nameof(IGeyserIngestGrain.AddInterestAsync));
        var ok = new RecordingSink();
        var failed = new RecordingSink();

        GrainReplyCodec.Decode(GrainReplyCodec.EncodeResult(method, true), method).CompleteTo(ok);
        GrainReplyCodec.Decode(GrainReplyCodec.EncodeException(new TimeoutException("late")), method).CompleteTo(failed);

        ok.Result.Should().Be(true);
        failed.Exception.Should().BeOfType<TimeoutException>();
    }

    [Theory]
    [InlineData("", "*empty*")]
    [InlineData("02", "*version 2*")]
    [InlineData("01", "*truncated*kind*")]
    [InlineData("0107", "*unknown kind 7*")]
    [InlineData("0100", "*completion without value*returns Task<Boolean>*")]
    [InlineData("0101", "*result (Boolean) is not valid*")]
    [InlineData("01016E756C6C", "*result (Boolean) is not valid*")]
    [InlineData("010174727565FF", "*result (Boolean) is not valid*")]
    [InlineData("0102", "*truncated*exception type*")]
    [InlineData("0102014101", "*truncated*exception message*")]
    [InlineData("010201410142", "*truncated*parameter flag*")]
    [InlineData("01020141014205", "*invalid parameter flag 5*")]
    [InlineData("0102014101420000", "*1 bytes after its end*")]
    public void Malformed_replies_are_wire_errors(string hex, string message)
    {
        var method = WireSamples.GrainMethodOf<IGeyserIngestGrain>(nameof(IGeyserIngestGrain.AddInterestAsync));

        FluentActions.Invoking(() => GrainReplyCodec.Decode(Convert.FromHexString(hex), method)).Should().Throw<GrainWireException>().WithMessage(message);
    }

    [Fact]
    public void A_null_result_where_the_method_returns_a_value_is_a_wire_error()
    {
        var method = WireSamples.GrainMethodOf<IAccountGrain>(nameof(IAccountGrain.GetSnapshotAsync));

        FluentActions.Invoking(() => GrainReplyCodec.Decode([1, 1, .. "null"u8], method)).Should().Throw<GrainWireException>()
            .WithMessage("*result (AccountSnapshot) is not valid: null where the method returns a value*");
    }

    [Fact]
    public void A_value_reply_to_a_void_method_is_a_wire_error()
    {
        var method = WireSamples.GrainMethodOf<IGeyserIngestGrain>(nameof(IGeyserIngestGrain.StartAsync));

        FluentActions.Invoking(() => GrainReplyCodec.Decode([1, 1, (byte)'1'], method)).Should().Throw<GrainWireException>().WithMessage("*value, but the method returns Task*");
    }
}
