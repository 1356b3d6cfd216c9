using System.Text;
using AccountGrains.Runtime.Catalog;
using AccountGrains.Runtime.Messaging;
using AccountGrains.Runtime.Messaging.Wire;
using AccountGrains.Runtime.Tests.TestSupport;

namespace AccountGrains.Runtime.Tests.Messaging.Wire;

public sealed class GrainCallCodecTests
{
    private static readonly GrainId Account = new("account", WireSamples.Usdc);
    private static readonly GrainId Ingest = new("ingest", IGeyserIngestGrain.DefaultKey);
    private static readonly GrainId Wallet = new("wallet", "9WzDXwBbmkg8ZTbNMqUxvQRAyrZzDsGYdLVL9zYtAWWM");

    public static TheoryData<string, string, object?[]> EveryMethod() => new()
    {
        { "account", nameof(IAccountGrain.ApplyAsync), [WireSamples.Update()] },
        { "account", nameof(IAccountGrain.ApplyAsync), [WireSamples.Update(data: [], signature: null, slot: ulong.MaxValue)] },
        { "account", nameof(IAccountGrain.ApplyAsync), [WireSamples.Update(data: WireSamples.TokenAccountData(10 * 1024 * 1024))] },
        { "account", nameof(IAccountGrain.ApplyAndReportAsync), [WireSamples.Update()] },
        { "account", nameof(IAccountGrain.GetSnapshotAsync), [] },
        { "ingest", nameof(IGeyserIngestGrain.StartAsync), [] },
        { "ingest", nameof(IGeyserIngestGrain.StopAsync), [] },
        { "ingest", nameof(IGeyserIngestGrain.GetStatusAsync), [] },
        { "ingest", nameof(IGeyserIngestGrain.AddInterestAsync), [Interest.Account(WireSamples.Usdc)] },
        { "ingest", nameof(IGeyserIngestGrain.AddInterestAsync), [Interest.Wallet("9WzDXwBbmkg8ZTbNMqUxvQRAyrZzDsGYdLVL9zYtAWWM")] },
        { "ingest", nameof(IGeyserIngestGrain.AddInterestAsync), [WireSamples.ProgramInterest()] },
        { "ingest", nameof(IGeyserIngestGrain.RemoveInterestAsync), ["program:" + WireSamples.TokenProgram + "?size=165"] },
        { "ingest", nameof(IGeyserIngestGrain.GetInterestAsync), [] },
        { "ingest", nameof(IGeyserIngestGrain.GetSubscriptionsAsync), [] },
        { "wallet", nameof(IWalletGrain.TrackAsync), [new WalletTrackRequest("desk-7", [new NotificationSink(NotificationSink.Webhook, "https://hooks.example/a", "s3cret")])] },
        { "wallet", nameof(IWalletGrain.UntrackAsync), [WalletTrackRequest.AllTrackers] },
        { "wallet", nameof(IWalletGrain.GetAsync), [] },
        { "wallet", nameof(IWalletGrain.GetActivityAsync), [new ActivityQuery(null, 50)] },
        { "wallet", nameof(IWalletGrain.GetActivityAsync), [new ActivityQuery("5VERv8NMvzbJMEkV8xnrLkEaWRtSz9CosKDYjCJjBRnbJLgp8uirBgmQpjKhoR4tjF3ZpRzrFmBV6UjKdiSZkQUW", ActivityQuery.MaxLimit)] },
        { "wallet", nameof(IWalletGrain.GetDeadLettersAsync), [25] },
        { "wallet", nameof(IWalletGrain.ApplyActivityAsync), [WireSamples.Activity()] },
        { "wallet", nameof(IWalletGrain.ApplyAccountAsync), [WireSamples.Update()] },
    };

    [Theory]
    [MemberData(nameof(EveryMethod))]
    public void Every_method_of_every_grain_interface_round_trips(string grainType, string methodName, object?[] arguments)
    {
        var (target, info) = grainType switch
        {
            "account" => (Account, WireSamples.Method<IAccountGrain>(methodName)),
            "wallet" => (Wallet, WireSamples.Method<IWalletGrain>(methodName)),
            _ => (Ingest, WireSamples.Method<IGeyserIngestGrain>(methodName)),
        };
        var method = GrainMethod.For(info);

        var call = WireSamples.Codec.Decode(WireSamples.Codec.Encode(target, method, arguments, method.IsOneWay));

        call.Target.Should().Be(target);
        call.Method.Should().BeSameAs(method);
        call.IsOneWay.Should().Be(method.IsOneWay);
        call.Arguments.Should().HaveCount(arguments.Length);
        for (var i = 0; i < arguments.Length; i++)
        {
            call.Arguments[i].Should().BeEquivalentTo(arguments[i], WireSamples.ByMembers);
        }
    }

    [Fact]
    public void The_codec_covers_every_method_of_the_grain_interfaces()
    {
        var covered = EveryMethod().Select(row => $"{row[0]}.{row[1]}").ToHashSet();
        var declared = typeof(IAccountGrain).Assembly.GetTypes()
            .Where(t => t.IsInterface && typeof(IGrain).IsAssignableFrom(t) && t != typeof(IGrain))
            .SelectMany(t => t.GetMethods().Select(m => $"{GrainTypeRegistry.TypeNameOf(t)}.{m.Name}"));

        covered.Should().Contain(declared);
        new GrainCallCodec(typeof(IAccountGrain).Assembly.GetTypes().Where(t => t.IsInterface && typeof(IGrain).IsAssignableFrom(t) && t != typeof(IGrain)))
            .GrainTypes.Should().BeEquivalentTo("account", "ingest", "wallet");
    }

    [Fact]
    public async Task Threads_encoding_at_once_each_get_their_own_call()
    {
        var method = WireSamples.GrainMethodOf<IAccountGrain>(nameof(IAccountGrain.ApplyAsync));

        var payloads = await Task.WhenAll(Enumerable.Range(0, 64).Select(i => Task.Run(() =>
            Enumerable.Range(0, 50).Select(j => (Slot: (ulong)((i * 1000) + j), Payload: WireSamples.Codec.Encode(
                Account, method, [WireSamples.Update(data: WireSamples.TokenAccountData(j * 97), slot: (ulong)((i * 1000) + j))], true))).ToArray())));

        foreach (var (slot, payload) in payloads.SelectMany(p => p))
        {
            var update = (AccountUpdate)WireSamples.Codec.Decode(payload).Arguments[0]!;
            update.Slot.Should().Be(slot);
            update.Data.Should().HaveCount((int)(slot % 1000) * 97);
        }
    }

    [Fact]
    public void Encoding_into_a_caller_buffer_writes_the_same_bytes()
    {
        var method = WireSamples.GrainMethodOf<IAccountGrain>(nameof(IAccountGrain.ApplyAsync));
        var buffer = new System.Buffers.ArrayBufferWriter<byte>();

        WireSamples.Codec.Encode(buffer, Account, method, [WireSamples.Update()], oneWay: true);

        buffer.WrittenSpan.ToArray().Should().Equal(WireSamples.Codec.Encode(Account, method, [WireSamples.Update()], oneWay: true));
    }

    [Fact]
    public void Exact_values_survive_the_wire()
    {
        var update = WireSamples.Update(data: [0, 1, 2, 255], slot: ulong.MaxValue) with { Lamports = ulong.MaxValue, WriteVersion = 0 };
        var method = WireSamples.GrainMethodOf<IAccountGrain>(nameof(IAccountGrain.ApplyAsync));

        var decoded = (AccountUpdate)WireSamples.Codec.Decode(WireSamples.Codec.Encode(Account, method, [update], oneWay: true)).Arguments[0]!;

        decoded.Lamports.Should().Be(ulong.MaxValue);
        decoded.Slot.Should().Be(ulong.MaxValue);
        decoded.RentEpoch.Should().Be(ulong.MaxValue);
        decoded.WriteVersion.Should().Be(0);
        decoded.Data.Should().Equal(0, 1, 2, 255);
        decoded.ReceivedAt.Should().Be(WireSamples.At);
        decoded.ReceivedAt.Offset.Should().Be(TimeSpan.FromHours(2));
        decoded.Token.Should().Be(update.Token);
    }

    [Fact]
    public void An_interest_keeps_its_identity_and_filters()
    {
        var interest = WireSamples.ProgramInterest();
        var method = WireSamples.GrainMethodOf<IGeyserIngestGrain>(nameof(IGeyserIngestGrain.AddInterestAsync));

        var decoded = (Interest)WireSamples.Codec.Decode(WireSamples.Codec.Encode(Ingest, method, [interest], oneWay: false)).Arguments[0]!;

        decoded.Should().Be(interest);
        decoded.Id.Should().Be(interest.Id);
        decoded.Kind.Should().Be(InterestKind.Program);
        decoded.Filters.Should().Equal(interest.Filters);
    }

    [Fact]
    public void Methods_are_named_by_signature_not_by_reflection_order()
    {
        GrainCallCodec.SignatureOf(WireSamples.Method<IAccountGrain>(nameof(IAccountGrain.ApplyAsync))).Should().Be("ApplyAsync(AccountUpdate)");
        GrainCallCodec.SignatureOf(WireSamples.Method<IGeyserIngestGrain>(nameof(IGeyserIngestGrain.GetInterestAsync))).Should().Be("GetInterestAsync()");
        GrainCallCodec.SignatureOf(WireSamples.Method<ITurnGrain>(nameof(ITurnGrain.AppendAsync))).Should().Be("AppendAsync(Int32)");

        var method = WireSamples.GrainMethodOf<IAccountGrain>(nameof(IAccountGrain.GetSnapshotAsync));
        var payload = WireSamples.Codec.Encode(Account, method, [], oneWay: false);
        Encoding.UTF8.GetString(payload).Should().Contain("account").And.Contain(WireSamples.Usdc).And.Contain("GetSnapshotAsync()");
        payload[0].Should().Be(1, "the version byte comes first");
    }

    [Fact]
    public void A_grain_message_encodes_with_its_one_way_flag()
    {
        var method = WireSamples.GrainMethodOf<IAccountGrain>(nameof(IAccountGrain.ApplyAndReportAsync));
        var waiting = new GrainMessage(Account, method, [WireSamples.Update()], new RecordingSink());
        var fireAndForget = new GrainMessage(Account, method, [WireSamples.Update()], response: null);

        WireSamples.Codec.Decode(WireSamples.Codec.Encode(waiting)).IsOneWay.Should().BeFalse();
        WireSamples.Codec.Decode(WireSamples.Codec.Encode(fireAndForget)).IsOneWay.Should().BeTrue();
        WireSamples.Codec.Decode(WireSamples.Codec.Encode(fireAndForget)).ToMessage(new RecordingSink()).Response.Should().BeNull();
    }

    [Fact]
    public async Task A_decoded_call_runs_through_GrainMethod_and_its_reply_round_trips()
    {
        var grain = new RecordingAccountGrain();
        var method = WireSamples.GrainMethodOf<IAccountGrain>(nameof(IAccountGrain.ApplyAndReportAsync));
        var update = WireSamples.Update();

        var call = WireSamples.Codec.Decode(WireSamples.Codec.Encode(Account, method, [update], oneWay: false));
        var sink = new RecordingSink();
        await call.Method.InvokeAsync(grain, call.Arguments, sink);
        var reply = GrainReplyCodec.Decode(GrainReplyCodec.EncodeResult(call.Method, sink.Result), method);

        grain.Applied.Should().ContainSingle().Which.Should().BeEquivalentTo(update, WireSamples.ByMembers);
        reply.IsSuccess.Should().BeTrue();
        reply.Result.Should().Be(ApplyOutcome.Applied);
    }

    [Fact]
    public async Task A_grain_reference_works_across_the_wire_end_to_end()
    {
        // Proxy -> call bytes -> grain on the "remote" side -> reply bytes -> the proxy's task: what the RabbitMQ
        // transport will do, minus the broker.
        var grain = new RecordingAccountGrain();
        var reference = GrainProxy.Create<IAccountGrain>(Account, new WireLoopback(WireSamples.Codec, grain));

        await reference.ApplyAsync(WireSamples.Update(slot: 1));
        var outcome = await reference.ApplyAndReportAsync(WireSamples.Update(slot: 2));
        var snapshot = await reference.GetSnapshotAsync();

        outcome.Should().Be(ApplyOutcome.Applied);
        grain.Applied.Select(u => u.Slot).Should().Equal(1UL, 2UL);
        snapshot.Should().BeEquivalentTo(grain.Snapshot, WireSamples.ByMembers);
        var failing = GrainProxy.Create<IAccountGrain>(new GrainId("account", "missing"), new WireLoopback(WireSamples.Codec, grain));
        await failing.Invoking(g => g.GetSnapshotAsync()).Should().ThrowAsync<KeyNotFoundException>().WithMessage("no account 'missing'");
    }

    [Fact]
    public async Task A_value_method_that_throws_before_returning_its_task_reports_the_exception()
    {
        var method = WireSamples.GrainMethodOf<IAccountGrain>(nameof(IAccountGrain.GetSnapshotAsync));
        var sink = new RecordingSink();

        await method.InvokeAsync(new MissingAccountGrain("gone"), [], sink);

        sink.Exception.Should().BeOfType<KeyNotFoundException>().Which.Message.Should().Be("no account 'gone'");
    }

    [Fact]
    public async Task Test_grains_decode_from_a_registry_and_run()
    {
        var registry = new GrainTypeRegistry([new GrainRegistration(typeof(ITurnGrain), typeof(TurnGrain), "test-turns")]);
        var codec = new GrainCallCodec(registry);
        var append = WireSamples.GrainMethodOf<ITurnGrain>(nameof(ITurnGrain.AppendAsync));
        var read = WireSamples.GrainMethodOf<ITurnGrain>(nameof(ITurnGrain.GetAppendedAsync));
        var target = new GrainId("test-turns", "a");
        var grain = new TurnGrain(new TurnProbe());

        foreach (var value in new[] { 3, int.MinValue, int.MaxValue })
        {
            var call = codec.Decode(codec.Encode(target, append, [value], oneWay: true));
            await call.Method.InvokeAsync(grain, call.Arguments, null);
        }

        var sink = new RecordingSink();
        var get = codec.Decode(codec.Encode(target, read, [], oneWay: false));
        await get.Method.InvokeAsync(grain, get.Arguments, sink);
        GrainReplyCodec.Decode(GrainReplyCodec.EncodeResult(read, sink.Result), read).Result.Should().BeEquivalentTo(new[] { 3, int.MinValue, int.MaxValue });
    }

    [Fact]
    public void An_unknown_grain_type_is_a_wire_error_naming_it()
    {
        var codec = new GrainCallCodec([typeof(IGeyserIngestGrain)]);
        var payload = WireSamples.Codec.Encode(Account, WireSamples.GrainMethodOf<IAccountGrain>(nameof(IAccountGrain.GetSnapshotAsync)), [], false);

        codec.Invoking(c => c.Decode(payload)).Should().Throw<GrainWireException>().WithMessage("*unknown grain type 'account'*");
    }

    [Fact]
    public void An_unknown_method_is_a_wire_error_naming_it()
    {
        var payload = Payload("account", WireSamples.Usdc, "CloseAsync(AccountUpdate)", "[]");

        WireSamples.Codec.Invoking(c => c.Decode(payload)).Should().Throw<GrainWireException>()
            .WithMessage("*grain type 'account' has no method CloseAsync(AccountUpdate)*");
    }

    [Fact]
    public void A_method_with_other_parameter_types_is_unknown()
    {
        var payload = Payload("account", WireSamples.Usdc, "ApplyAsync(AccountState)", "[{}]");

        WireSamples.Codec.Invoking(c => c.Decode(payload)).Should().Throw<GrainWireException>().WithMessage("*no method ApplyAsync(AccountState)*");
    }

    [Fact]
    public void Another_wire_version_is_refused()
    {
        var payload = WireSamples.Codec.Encode(Account, WireSamples.GrainMethodOf<IAccountGrain>(nameof(IAccountGrain.GetSnapshotAsync)), [], false);
        payload[0] = 2;

        WireSamples.Codec.Invoking(c => c.Decode(payload)).Should().Throw<GrainWireException>().WithMessage("*version 2*reads version 1*");
    }

    [Theory]
    [InlineData("", "*is empty*")]
    [InlineData("01", "*truncated*flags*")]
    [InlineData("0100", "*truncated*grain type*")]
    [InlineData("01000761636300", "*truncated*grain type*")]
    [InlineData("0104", "*unknown flags 0x04*")]
    [InlineData("0100FFFFFFFFFF", "*grain type is not a valid varint*")]
    [InlineData("0100FFFFFF7F", "*grain type claims*")]
    [InlineData("010002C328", "*grain type is not valid UTF-8*")]
    public void Truncated_or_malformed_envelopes_are_wire_errors(string hex, string message)
    {
        WireSamples.Codec.Invoking(c => c.Decode(Convert.FromHexString(hex))).Should().Throw<GrainWireException>().WithMessage(message);
    }

    [Theory]
    [InlineData("", "*not valid*")]
    [InlineData("{}", "*not a JSON array*")]
    [InlineData("[]", "*0 arguments where 1 are expected*")]
    [InlineData("[null]", "*argument 0 (update: AccountUpdate) is not valid*")]
    [InlineData("[{\"pubkey\":\"x\"}]", "*argument 0 (update: AccountUpdate) is not valid*")]
    [InlineData("[1, 2]", "*argument 0*")]
    [InlineData("[{}] x", "*not valid*")]
    public void Bad_arguments_are_wire_errors_naming_the_argument(string json, string message)
    {
        var payload = Payload("account", WireSamples.Usdc, "ApplyAsync(AccountUpdate)", json);

        WireSamples.Codec.Invoking(c => c.Decode(payload)).Should().Throw<GrainWireException>().WithMessage(message);
    }

    [Fact]
    public void Extra_arguments_and_trailing_bytes_are_wire_errors()
    {
        var update = Encoding.UTF8.GetString(WireSamples.Codec.Encode(Account, WireSamples.GrainMethodOf<IAccountGrain>(nameof(IAccountGrain.ApplyAsync)), [WireSamples.Update()], true));
        var json = update[update.IndexOf('[', StringComparison.Ordinal)..];

        WireSamples.Codec.Invoking(c => c.Decode(Payload("account", "k", "ApplyAsync(AccountUpdate)", json[..^1] + ",1]")))
            .Should().Throw<GrainWireException>().WithMessage("*more arguments than the 1 expected*");
        WireSamples.Codec.Invoking(c => c.Decode(Payload("account", "k", "ApplyAsync(AccountUpdate)", json + "]")))
            .Should().Throw<GrainWireException>().WithMessage("*not valid*");
        WireSamples.Codec.Invoking(c => c.Decode(Payload("account", "k", "GetSnapshotAsync()", "[] []")))
            .Should().Throw<GrainWireException>();
    }

    [Fact]
    public void An_invalid_grain_id_or_interest_is_a_wire_error()
    {
        WireSamples.Codec.Invoking(c => c.Decode(Payload("account", "", "GetSnapshotAsync()", "[]")))
            .Should().Throw<GrainWireException>().WithMessage("*invalid grain id*");
        WireSamples.Codec.Invoking(c => c.Decode(Payload("ingest", "default", "AddInterestAsync(Interest)", """[{"kind":"Comet","key":"x","filters":[]}]""")))
            .Should().Throw<GrainWireException>().WithMessage("*argument 0 (interest: Interest)*");
        WireSamples.Codec.Invoking(c => c.Decode(Payload("ingest", "default", "AddInterestAsync(Interest)", """[{"kind":"Account","key":null,"filters":[]}]""")))
            .Should().Throw<GrainWireException>().WithMessage("*argument 0 (interest: Interest)*");
    }

    [Fact]
    public void Encoding_a_call_the_codec_does_not_know_fails_clearly()
    {
        var codec = new GrainCallCodec([typeof(IGeyserIngestGrain)]);
        var method = WireSamples.GrainMethodOf<IAccountGrain>(nameof(IAccountGrain.GetSnapshotAsync));

        codec.Invoking(c => c.Encode(Account, method, [], false)).Should().Throw<GrainWireException>().WithMessage("*GetSnapshotAsync*not a method of grain type 'account'*");
        WireSamples.Codec.Invoking(c => c.Encode(Ingest, method, [], false)).Should().Throw<GrainWireException>().WithMessage("*grain type 'ingest'*");
        WireSamples.Codec.Invoking(c => c.Encode(Account, method, [1], false)).Should().Throw<ArgumentException>().WithMessage("*takes 0 arguments, not 1*");
    }

    [Fact]
    public void A_grain_interface_with_a_type_the_wire_cannot_carry_fails_at_start_up()
    {
        FluentActions.Invoking(() => new GrainCallCodec([typeof(IUncarriableGrain)])).Should().Throw<NotSupportedException>()
            .WithMessage("*IUncarriableGrain.SendAsync(Stream) uses Stream, which has no wire format*");
    }

    /// <summary>A hand-made call payload, to say things the encoder never would.</summary>
    internal static byte[] Payload(string grainType, string key, string method, string argumentsJson)
    {
        var bytes = new List<byte> { 1, 0 };
        foreach (var text in new[] { grainType, key, method })
        {
            var utf8 = Encoding.UTF8.GetBytes(text);
            bytes.Add((byte)utf8.Length);
            bytes.AddRange(utf8);
        }

        bytes.AddRange(Encoding.UTF8.GetBytes(argumentsJson));
        return [.. bytes];
    }
}

[GrainType("test-uncarriable")]
public interface IUncarriableGrain : IGrain
{
    Task SendAsync(Stream stream);
}
