using AccountGrains.Runtime.Messaging.Wire;

namespace AccountGrains.Runtime.Tests.Messaging.Wire;

public sealed class StreamEventCodecTests
{
    public static TheoryData<AccountState> States() => new()
    {
        WireSamples.State(),
        WireSamples.State(data: [], lamports: 0, signature: null, decoded: WireSamples.Undecodable()),
        WireSamples.State(data: WireSamples.TokenAccountData(10 * 1024 * 1024)),
        WireSamples.State(decoded: new DecodedAccount("meteora-damm-v2", "pool", "{}"u8.ToArray(), null, null)),
    };

    [Theory]
    [MemberData(nameof(States))]
    public void An_account_change_round_trips(AccountState state)
    {
        var change = new AccountChanged(state);

        var decoded = StreamEventCodec.Decode(StreamEventCodec.Encode(change));

        decoded.Should().BeEquivalentTo(change, WireSamples.ByMembers);
        decoded.State.Token.Should().Be(state.Token);
        decoded.State.Data.AsSpan().SequenceEqual(state.Data).Should().BeTrue();
        decoded.State.Decoded.FieldsJson.Should().Equal(state.Decoded.FieldsJson);
        decoded.State.CreatedAt.Should().Be(state.CreatedAt);
    }

    [Fact]
    public void The_equivalence_used_here_sees_a_changed_byte()
    {
        var state = WireSamples.State();
        var changed = state with { Data = [.. state.Data] };
        changed.Data[100] ^= 1;

        FluentActions.Invoking(() => changed.Should().BeEquivalentTo(state, WireSamples.ByMembers)).Should().Throw<Xunit.Sdk.XunitException>();
    }

    [Fact]
    public void The_token_is_read_without_the_state()
    {
        var payload = StreamEventCodec.Encode(new AccountChanged(WireSamples.State()));

        StreamEventCodec.ReadToken(payload).Should().Be(new StreamToken(ulong.MaxValue - 1, ulong.MaxValue));
        StreamEventCodec.ReadToken(payload.AsSpan(0, 17)).Should().Be(new StreamToken(ulong.MaxValue - 1, ulong.MaxValue));
    }

    [Fact]
    public void A_header_token_that_disagrees_with_the_state_is_a_wire_error()
    {
        var payload = StreamEventCodec.Encode(new AccountChanged(WireSamples.State()));
        payload[1] ^= 1;

        FluentActions.Invoking(() => StreamEventCodec.Decode(payload)).Should().Throw<GrainWireException>().WithMessage("*header token*differs*");
    }

    [Theory]
    [InlineData("", "*empty*")]
    [InlineData("09", "*version 9*")]
    [InlineData("0101020304", "*truncated*slot*")]
    [InlineData("01000000000000000000000000000000", "*truncated*write version*")]
    [InlineData("0100000000000000000000000000000000", "*account state is not valid*")]
    [InlineData("01000000000000000000000000000000006E756C6C", "*account state is null*")]
    [InlineData("01000000000000000000000000000000007B7D", "*account state is not valid*")]
    public void Malformed_events_are_wire_errors(string hex, string message)
    {
        FluentActions.Invoking(() => StreamEventCodec.Decode(Convert.FromHexString(hex))).Should().Throw<GrainWireException>().WithMessage(message);
    }

    [Fact]
    public void Routing_keys_name_the_stream()
    {
        StreamEventCodec.RoutingKey(StreamId.ForAccount(WireSamples.Usdc)).Should().Be("account." + WireSamples.Usdc);
        StreamEventCodec.RoutingKey(StreamId.ForProgram(WireSamples.TokenProgram)).Should().Be("program." + WireSamples.TokenProgram);
        StreamEventCodec.ParseRoutingKey("account." + WireSamples.Usdc).Should().Be(StreamId.ForAccount(WireSamples.Usdc));
        StreamEventCodec.ParseRoutingKey("wallet.a.b").Should().Be(new StreamId("wallet", "a.b"));
    }

    [Theory]
    [InlineData("", "k")]
    [InlineData("acc.ount", "k")]
    [InlineData("account", "")]
    public void Invalid_streams_have_no_routing_key(string streamNamespace, string key)
    {
        FluentActions.Invoking(() => StreamEventCodec.RoutingKey(new StreamId(streamNamespace, key))).Should().Throw<ArgumentException>();
    }

    [Fact]
    public void A_routing_key_longer_than_RabbitMQ_allows_is_refused()
    {
        FluentActions.Invoking(() => StreamEventCodec.RoutingKey(StreamId.ForAccount(new string('k', 250)))).Should().Throw<ArgumentException>().WithMessage("*255 bytes*");
    }

    [Theory]
    [InlineData("account")]
    [InlineData(".key")]
    [InlineData("account.")]
    public void Malformed_routing_keys_are_wire_errors(string routingKey)
    {
        FluentActions.Invoking(() => StreamEventCodec.ParseRoutingKey(routingKey)).Should().Throw<GrainWireException>().WithMessage("*namespace.key*");
    }
}
