using System.Buffers.Binary;
using System.Text.Json;
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
        Refused(hex, payload => StreamEventCodec.Decode(payload), message);
    }

    [Fact]
    public void An_account_event_keeps_its_layout_byte_for_byte()
    {
        var state = WireSamples.State();

        var payload = StreamEventCodec.Encode(new AccountChanged(state));

        byte[] expected =
        [
            0x01,
            .. BitConverter.GetBytes(state.Slot), // little-endian on every machine we run on
            .. BitConverter.GetBytes(state.WriteVersion),
            .. JsonSerializer.SerializeToUtf8Bytes(state, WireJson.Options),
        ];
        BitConverter.IsLittleEndian.Should().BeTrue();
        payload.Should().Equal(expected);
    }

    public static TheoryData<WalletChanged> WalletChanges() => new()
    {
        WireSamples.WalletChange(),
        WireSamples.WalletChange(sequence: 0, withActivity: false),
        WireSamples.WalletChange(sequence: 1) with { State = WalletState.Empty(WireSamples.Wallet, WireSamples.At) },
    };

    [Theory]
    [MemberData(nameof(WalletChanges))]
    public void A_wallet_change_round_trips(WalletChanged change)
    {
        var decoded = StreamEventCodec.DecodeWallet(StreamEventCodec.Encode(change));

        decoded.Should().BeEquivalentTo(change, WireSamples.ByMembers);
        decoded.Sequence.Should().Be(change.Sequence);
        decoded.State.UpdatedAt.Should().Be(change.State.UpdatedAt);
        (decoded.Activity is null).Should().Be(change.Activity is null);
    }

    [Fact]
    public void A_wallet_event_is_its_lead_byte_the_sequence_and_the_change_as_json()
    {
        var change = WireSamples.WalletChange(sequence: 0x0102030405060708);

        var payload = StreamEventCodec.Encode(change);

        payload[0].Should().Be(0x11);
        BinaryPrimitives.ReadUInt64LittleEndian(payload.AsSpan(1, 8)).Should().Be(0x0102030405060708);
        using var json = JsonDocument.Parse(payload.AsMemory(9));
        json.RootElement.GetProperty("sequence").GetInt64().Should().Be(0x0102030405060708);
        json.RootElement.GetProperty("address").GetString().Should().Be(WireSamples.Wallet);
    }

    [Fact]
    public void The_kind_is_read_from_the_first_byte_alone()
    {
        var account = StreamEventCodec.Encode(new AccountChanged(WireSamples.State()));
        var wallet = StreamEventCodec.Encode(WireSamples.WalletChange());

        StreamEventCodec.ReadKind(account).Should().Be(StreamEventKind.Account);
        StreamEventCodec.ReadKind(wallet).Should().Be(StreamEventKind.Wallet);
        StreamEventCodec.ReadKind(wallet.AsSpan(0, 1)).Should().Be(StreamEventKind.Wallet);
        StreamEventCodec.ReadKind(account.AsSpan(0, 1)).Should().Be(StreamEventKind.Account);
    }

    [Theory]
    [InlineData("", "*empty*")]
    [InlineData("00", "*starts with byte 0x00*account events start with 0x01, wallet events with 0x11*")]
    [InlineData("02", "*starts with byte 0x02*")]
    [InlineData("7B7D", "*starts with byte 0x7B*")]
    public void An_unknown_first_byte_has_no_kind(string hex, string message)
    {
        Refused(hex, payload => StreamEventCodec.ReadKind(payload), message);
    }

    [Fact]
    public void The_sequence_is_read_without_the_change()
    {
        var payload = StreamEventCodec.Encode(WireSamples.WalletChange(sequence: 42));

        StreamEventCodec.ReadSequence(payload).Should().Be(42);
        StreamEventCodec.ReadSequence(payload.AsSpan(0, 9)).Should().Be(42);
    }

    [Fact]
    public void A_header_sequence_that_disagrees_with_the_change_is_a_wire_error()
    {
        var payload = StreamEventCodec.Encode(WireSamples.WalletChange(sequence: 7));
        payload[1] = 8;

        FluentActions.Invoking(() => StreamEventCodec.DecodeWallet(payload)).Should().Throw<GrainWireException>()
            .WithMessage("*header sequence 8 differs from the change's 7*");
    }

    [Fact]
    public void A_negative_sequence_is_not_encoded()
    {
        FluentActions.Invoking(() => StreamEventCodec.Encode(WireSamples.WalletChange(sequence: -1))).Should().Throw<ArgumentOutOfRangeException>();
    }

    [Fact]
    public void An_event_of_the_other_kind_is_refused_by_each_decoder()
    {
        var account = StreamEventCodec.Encode(new AccountChanged(WireSamples.State()));
        var wallet = StreamEventCodec.Encode(WireSamples.WalletChange());

        FluentActions.Invoking(() => StreamEventCodec.DecodeWallet(account)).Should().Throw<GrainWireException>().WithMessage("*is an account event, not a wallet event*");
        FluentActions.Invoking(() => StreamEventCodec.ReadSequence(account)).Should().Throw<GrainWireException>().WithMessage("*is an account event, not a wallet event*");
        FluentActions.Invoking(() => StreamEventCodec.Decode(wallet)).Should().Throw<GrainWireException>().WithMessage("*is a wallet event, not an account event*");
        FluentActions.Invoking(() => StreamEventCodec.ReadToken(wallet)).Should().Throw<GrainWireException>().WithMessage("*is a wallet event, not an account event*");
    }

    [Theory]
    [InlineData("", "*empty*")]
    [InlineData("09", "*starts with byte 0x09*")]
    [InlineData("11", "*wallet event payload is truncated*the sequence*")]
    [InlineData("1101020304", "*wallet event payload is truncated*the sequence needs 8 bytes at offset 1, 4 left*")]
    [InlineData("11FFFFFFFFFFFFFFFF7B7D", "*the sequence 18446744073709551615 is larger than*")]
    [InlineData("110000000000000000", "*the wallet change is not valid*")]
    [InlineData("1100000000000000006E756C6C", "*the wallet change is null*")]
    [InlineData("1100000000000000007B7D", "*the wallet change is not valid*")]
    [InlineData("1100000000000000007B2261646472657373223A", "*the wallet change is not valid*")]
    [InlineData("110000000000000000FFFE", "*the wallet change is not valid*")]
    public void Malformed_wallet_events_are_wire_errors(string hex, string message)
    {
        Refused(hex, payload => StreamEventCodec.DecodeWallet(payload), message);
    }

    [Fact]
    public void A_wallet_change_without_its_state_is_a_wire_error()
    {
        var json = """{"address":"9WzDXwBbmkg8ZTbNMqUxvQRAyrZzDsGYdLVL9zYtAWWM","sequence":3,"state":null,"activity":null}"""u8;
        byte[] payload = [0x11, 3, 0, 0, 0, 0, 0, 0, 0, .. json];

        FluentActions.Invoking(() => StreamEventCodec.DecodeWallet(payload)).Should().Throw<GrainWireException>().WithMessage("*the wallet change is not valid*");
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

    private static void Refused(string hex, Action<byte[]> read, string message) =>
        FluentActions.Invoking(() => read(Convert.FromHexString(hex))).Should().Throw<GrainWireException>().WithMessage(message);
}
