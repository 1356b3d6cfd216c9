using System.Buffers.Binary;
using System.Text;
using System.Text.Json;

using AccountGrains.Solana.Decoding;
using AccountGrains.Solana.Decoding.Anchor;
using AccountGrains.Solana.Tests.TestSupport;

namespace AccountGrains.Solana.Tests.Decoding.Anchor;

public sealed class AnchorIdlDecoderTests
{
    private static readonly byte[] ThingDiscriminator = [1, 1, 1, 1, 1, 1, 1, 1];
    private static readonly byte[] NodeDiscriminator = [2, 2, 2, 2, 2, 2, 2, 2];
    private static readonly byte[] TreeDiscriminator = [3, 3, 3, 3, 3, 3, 3, 3];

    // A small IDL whose Thing has one of each kind of value, written out below byte by byte.
    private static readonly AnchorIdl Small = ParseWithKey("""
        {
          "address": "KEY_D",
          "metadata": {"name": "small"},
          "accounts": [
            {"name": "Thing", "discriminator": [1, 1, 1, 1, 1, 1, 1, 1]},
            {"name": "Node", "discriminator": [2, 2, 2, 2, 2, 2, 2, 2]},
            {"name": "Tree", "discriminator": [3, 3, 3, 3, 3, 3, 3, 3]}
          ],
          "types": [
            {"name": "Thing", "type": {"kind": "struct", "fields": [
              {"name": "ok", "type": "bool"},
              {"name": "small", "type": "i16"},
              {"name": "amount", "type": {"defined": {"name": "Amount"}}},
              {"name": "big", "type": "i256"},
              {"name": "ratio", "type": "f64"},
              {"name": "name", "type": "string"},
              {"name": "blob", "type": "bytes"},
              {"name": "key", "type": "pubkey"},
              {"name": "maybe", "type": {"option": "u16"}},
              {"name": "legacy", "type": {"coption": "u64"}},
              {"name": "states", "type": {"vec": {"defined": {"name": "State"}}}},
              {"name": "pair", "type": {"defined": {"name": "Pair"}}},
              {"name": "unit", "type": {"defined": {"name": "Unit"}}},
              {"name": "grid", "type": {"array": ["u8", 2]}}
            ]}},
            {"name": "State", "type": {"kind": "enum", "variants": [
              {"name": "Idle"},
              {"name": "Active", "fields": [{"name": "since", "type": "u32"}]},
              {"name": "Moved", "fields": ["u8", "bool"]}
            ]}},
            {"name": "Pair", "type": {"kind": "struct", "fields": ["u8", "u64"]}},
            {"name": "Unit", "type": {"kind": "struct"}},
            {"name": "Amount", "type": {"kind": "type", "alias": "u64"}},
            {"name": "Node", "type": {"kind": "struct", "fields": [
              {"name": "value", "type": "u8"},
              {"name": "next", "type": {"option": {"defined": {"name": "Node"}}}}
            ]}},
            {"name": "Tree", "type": {"kind": "struct", "fields": [
              {"name": "children", "type": {"vec": {"defined": {"name": "Tree"}}}}
            ]}}
          ]
        }
        """);

    [Fact]
    public void Every_kind_of_value_is_written_in_the_documented_json_form()
    {
        byte[] data = Thing().ToArray();

        (string accountType, string json) = Layout.Decode(new AnchorIdlDecoder(Small), data);

        accountType.Should().Be("thing");
        json.Should().Be(
            "{\"ok\":true,\"small\":-2,\"amount\":\"18446744073709551615\","
            + "\"big\":\"-57896044618658097711785492504343953926634992332820282019728792003956564819968\","
            + "\"ratio\":\"NaN\",\"name\":\"h\\u00E9\",\"blob\":\"AQID\",\"key\":\"" + Layout.KeyC + "\","
            + "\"maybe\":null,\"legacy\":\"7\","
            + "\"states\":[\"Idle\",{\"Active\":{\"since\":9}},{\"Moved\":[4,false]}],"
            + "\"pair\":[5,\"6\"],\"unit\":{},\"grid\":[250,251]}");
    }

    [Fact]
    public void Bytes_after_the_struct_are_ignored()
    {
        byte[] data = Thing().Append(0xAB, 0xCD, 0xEF).ToArray();

        Layout.Decode(new AnchorIdlDecoder(Small), data).Json.Should().EndWith("\"grid\":[250,251]}");
    }

    [Fact]
    public void Data_cut_anywhere_inside_the_struct_is_reported_as_truncated()
    {
        byte[] full = Thing().ToArray();
        var registry = new AccountDecoderRegistry([new AnchorIdlDecoder(Small)]);

        for (int length = 0; length < full.Length; length++)
        {
            DecodedAccountData result = registry.Decode(Small.Address, full.AsSpan(0, length));

            result.FailureReason.Should().Be(DecodeFailure.Truncated, $"cut at {length} bytes: {result.Error}");
        }

        registry.Decode(Small.Address, full.AsSpan(0, 60)).Error.Should().StartWith("small: unexpected end of data at offset");
        registry.Decode(Small.Address, full.AsSpan(0, 3)).Error.Should().Be("small: 3 bytes of data are too short for a 8-byte account discriminator");
    }

    [Fact]
    public void An_unknown_discriminator_is_named_in_hex()
    {
        var registry = new AccountDecoderRegistry([new AnchorIdlDecoder(Small)]);

        DecodedAccountData result = registry.Decode(Small.Address, [9, 8, 7, 6, 5, 4, 3, 2, 1]);

        result.FailureReason.Should().Be(DecodeFailure.UnknownDiscriminator);
        result.Error.Should().Be("small: discriminator 0908070605040302 is none of the 3 accounts of small");
    }

    public static TheoryData<string, Func<Bytes, Bytes>, string> InvalidValues => new()
    {
        { "a bool of 2", b => b.Set(8, 2), "Thing.ok byte 2 at offset 8 is not 0 (false) or 1 (true)" },
        { "an option tag of 2", b => b.Set(ThingOffsets.Maybe, 2), $"Thing.maybe option tag 2 at offset {ThingOffsets.Maybe} is not 0 (none) or 1 (some)" },
        { "a coption tag of 3", b => b.Set(ThingOffsets.Legacy, 3), $"Thing.legacy coption tag 3 at offset {ThingOffsets.Legacy} is not 0 (none) or 1 (some)" },
        { "an enum variant of 3", b => b.Set(ThingOffsets.States + 4, 3), $"State variant index 3 at offset {ThingOffsets.States + 4} is not one of its 3 variants" },
        { "a string that is not UTF-8", b => b.Set(ThingOffsets.Name + 4, 0xC3).Set(ThingOffsets.Name + 5, 0x28), $"Thing.name at offset {ThingOffsets.Name} is a string of 3 bytes that are not valid UTF-8" },
    };

    [Theory]
    [MemberData(nameof(InvalidValues))]
    public void A_value_its_type_does_not_allow_is_invalid_data(string what, Func<Bytes, Bytes> corrupt, string message)
    {
        byte[] data = corrupt(Thing()).ToArray();
        var registry = new AccountDecoderRegistry([new AnchorIdlDecoder(Small)]);

        DecodedAccountData result = registry.Decode(Small.Address, data);

        result.FailureReason.Should().Be(DecodeFailure.InvalidData, what);
        result.Error.Should().Be($"small: {message}");
    }

    [Fact]
    public void A_vec_length_beyond_the_data_is_truncated_without_allocating_for_it()
    {
        // Each element of Tree.children is a Tree of at least 4 bytes (its own vec length).
        byte[] data = new Bytes(TreeDiscriminator).U32(uint.MaxValue).ToArray();
        var decoder = new AnchorIdlDecoder(Small);
        Layout.DecodeError(decoder, data);

        long before = GC.GetAllocatedBytesForCurrentThread();
        string error = Layout.DecodeError(decoder, data);
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        error.Should().Be("unexpected end of data at offset 12 reading Tree.children: a vec of 4294967295 elements needs at least 17179869180 bytes, 0 left");
        allocated.Should().BeLessThan(64 * 1024);
    }

    [Fact]
    public void Recursive_types_decode_until_the_depth_limit_and_are_refused_past_it()
    {
        var decoder = new AnchorIdlDecoder(Small);

        Layout.Decode(decoder, Chain(3)).Json.Should().Be("{\"value\":0,\"next\":{\"value\":1,\"next\":{\"value\":2,\"next\":null}}}");
        // Chain(n) is the account's own node and n - 1 nodes nested under it.
        Layout.Decode(decoder, Chain(AnchorDecodePlan.MaxDepth + 1)).AccountType.Should().Be("node");
        Layout.DecodeError(decoder, Chain(AnchorDecodePlan.MaxDepth + 2))
            .Should().StartWith($"values nest deeper than {AnchorDecodePlan.MaxDepth} levels at offset");

        // A tree nested 10,000 levels deep through vecs must be refused, not overflow the stack.
        Bytes tree = new(TreeDiscriminator);
        for (int i = 0; i < 10_000; i++)
        {
            tree.U32(1);
        }

        tree.U32(0);
        var registry = new AccountDecoderRegistry([decoder]);
        registry.Decode(Small.Address, tree.ToArray()).FailureReason.Should().Be(DecodeFailure.InvalidData);
    }

    [Fact]
    public void An_alias_that_wraps_itself_in_options_is_refused_past_the_depth_limit()
    {
        AnchorIdl idl = ParseWithKey("""
            {"address": "KEY_D", "metadata": {"name": "maybe"},
             "accounts": [{"name": "Holder", "discriminator": [1, 2, 3, 4, 5, 6, 7, 8]}],
             "types": [{"name": "Holder", "type": {"kind": "struct", "fields": [{"name": "m", "type": {"defined": {"name": "Maybe"}}}]}},
                       {"name": "Maybe", "type": {"kind": "type", "alias": {"option": {"defined": {"name": "Maybe"}}}}}]}
            """);
        var decoder = new AnchorIdlDecoder(idl);
        static byte[] Nested(int somes) => [1, 2, 3, 4, 5, 6, 7, 8, .. Enumerable.Repeat((byte)1, somes), 0];

        Layout.Decode(decoder, Nested(2)).Json.Should().Be("{\"m\":null}");
        Layout.DecodeError(decoder, Nested(100_000)).Should().StartWith("values nest deeper than");
    }

    [Fact]
    public void Program_id_comes_from_the_idl_and_the_name_can_be_overridden()
    {
        var decoder = new AnchorIdlDecoder(Small);
        var renamed = new AnchorIdlDecoder(Small, programName: "my-program");

        decoder.ProgramId.Should().Be(Pubkey.Parse(Layout.KeyD));
        decoder.ProgramName.Should().Be("small");
        renamed.ProgramName.Should().Be("my-program");
        renamed.Idl.Should().BeSameAs(Small);
    }

    [Fact]
    public void Derived_values_follow_the_idl_fields_for_the_accounts_an_enricher_binds()
    {
        var enricher = new CountingEnricher();
        var decoder = new AnchorIdlDecoder(Small, enricher);

        Layout.Decode(decoder, Chain(1)).Json.Should().Be("{\"value\":0,\"next\":null,\"derived\":{\"data_length\":2}}");
        Layout.Decode(decoder, Thing().ToArray()).Json.Should().NotContain("derived");
        enricher.Bound.Should().Equal("Thing", "Node", "Tree");
    }

    [Fact]
    public void An_account_with_its_own_derived_field_cannot_take_an_enricher()
    {
        AnchorIdl idl = ParseWithKey("""
            {"address": "KEY_D", "metadata": {"name": "clash"},
             "accounts": [{"name": "Node", "discriminator": [1, 2, 3, 4, 5, 6, 7, 8]}],
             "types": [{"name": "Node", "type": {"kind": "struct", "fields": [{"name": "derived", "type": "u8"}]}}]}
            """);

        FluentActions.Invoking(() => new AnchorIdlDecoder(idl, new CountingEnricher()))
            .Should().Throw<AnchorIdlException>().WithMessage("*account 'Node' has its own field \"derived\"*");
        new AnchorIdlDecoder(idl).Should().NotBeNull();
    }

    [Fact]
    public void Discriminators_of_any_length_are_matched_and_a_cut_one_is_truncated()
    {
        AnchorIdl idl = ParseWithKey("""
            {"address": "KEY_D", "metadata": {"name": "custom"},
             "accounts": [{"name": "Short", "discriminator": [7]}, {"name": "Long", "discriminator": [9, 9, 9, 9]}],
             "types": [{"name": "Short", "type": {"kind": "struct", "fields": [{"name": "a", "type": "u8"}]}},
                       {"name": "Long", "type": {"kind": "struct", "fields": [{"name": "b", "type": "u8"}]}}]}
            """);
        var registry = new AccountDecoderRegistry([new AnchorIdlDecoder(idl)]);

        Encoding.UTF8.GetString(registry.Decode(idl.Address, [7, 1]).FieldsJson).Should().Be("{\"a\":1}");
        Encoding.UTF8.GetString(registry.Decode(idl.Address, [9, 9, 9, 9, 2]).FieldsJson).Should().Be("{\"b\":2}");
        registry.Decode(idl.Address, [9, 9]).FailureReason.Should().Be(DecodeFailure.Truncated);
        registry.Decode(idl.Address, [8, 9]).FailureReason.Should().Be(DecodeFailure.UnknownDiscriminator);
        registry.Decode(idl.Address, []).FailureReason.Should().Be(DecodeFailure.Truncated);
    }

    private static class ThingOffsets
    {
        // discriminator 8, bool 1, i16 2, u64 8, i256 32, f64 8
        public const int Name = 59;

        // string 4 + 3, bytes 4 + 3, pubkey 32
        public const int Maybe = Name + 7 + 7 + 32;
        public const int Legacy = Maybe + 1;
        public const int States = Legacy + 12;
    }

    private static Bytes Thing()
    {
        return new Bytes(ThingDiscriminator)
            .U8(1)
            .U16(0xFFFE)
            .U64(ulong.MaxValue)
            .Add([.. new byte[31], 0x80])
            .U64(BitConverter.DoubleToUInt64Bits(double.NaN))
            .U32(3).Add("hé"u8)
            .U32(3).Add([1, 2, 3])
            .Add(Pubkey.Parse(Layout.KeyC).ToArray())
            .U8(0)
            .U32(1).U64(7)
            .U32(3).U8(0).U8(1).U32(9).U8(2).U8(4).U8(0)
            .U8(5).U64(6)
            .Add([250, 251]);
    }

    private static AnchorIdl ParseWithKey(string json)
    {
        return AnchorIdl.Parse(json.Replace("KEY_D", Layout.KeyD, StringComparison.Ordinal));
    }

    private static byte[] Chain(int length)
    {
        Bytes bytes = new(NodeDiscriminator);
        for (int i = 0; i < length; i++)
        {
            bytes.U8((byte)i).U8(i == length - 1 ? (byte)0 : (byte)1);
        }

        return bytes.ToArray();
    }

    /// <summary>Builds account bytes field by field, little-endian, as Borsh lays them out.</summary>
    public sealed class Bytes(byte[] start)
    {
        private readonly List<byte> _bytes = [.. start];

        public Bytes U8(byte value) => Add([value]);

        public Bytes U16(ushort value) => Add(BitConverter.GetBytes(value));

        public Bytes U32(uint value)
        {
            var bytes = new byte[4];
            BinaryPrimitives.WriteUInt32LittleEndian(bytes, value);
            return Add(bytes);
        }

        public Bytes U64(ulong value)
        {
            var bytes = new byte[8];
            BinaryPrimitives.WriteUInt64LittleEndian(bytes, value);
            return Add(bytes);
        }

        public Bytes Add(ReadOnlySpan<byte> bytes)
        {
            _bytes.AddRange(bytes);
            return this;
        }

        public Bytes Set(int offset, byte value)
        {
            _bytes[offset] = value;
            return this;
        }

        public Bytes Append(params byte[] bytes) => Add(bytes);

        public byte[] ToArray() => [.. _bytes];
    }

    private sealed class CountingEnricher : IAnchorAccountEnricher
    {
        public List<string> Bound { get; } = [];

        public AnchorDerivedWriter? Bind(AnchorIdl idl, AnchorIdlAccount account)
        {
            Bound.Add(account.Name);
            return account.Name == "Node" ? Write : null;
        }

        private static void Write(ReadOnlySpan<byte> accountData, Utf8JsonWriter writer)
        {
            writer.WriteNumber("data_length", accountData.Length);
        }
    }
}
