using AccountGrains.Runtime.Messaging;
using AccountGrains.Runtime.Messaging.Wire;

namespace AccountGrains.Runtime.Tests.Messaging.Wire;

/// <summary>
/// Random damage to valid payloads: flipped, replaced, inserted, deleted bytes, cuts and pure noise. Reading one may
/// succeed (the damage hit a string's contents) or fail with <see cref="GrainWireException"/>; nothing else.
/// </summary>
public sealed class WireFuzzTests
{
    private const int Mutations = 5_000;

    [Fact]
    public void Damaged_call_payloads_decode_or_fail_with_a_wire_error()
    {
        var seeds = new[]
        {
            Call(new GrainId("account", WireSamples.Usdc), WireSamples.GrainMethodOf<IAccountGrain>(nameof(IAccountGrain.ApplyAsync)), WireSamples.Update()),
            Call(new GrainId("account", WireSamples.Usdc), WireSamples.GrainMethodOf<IAccountGrain>(nameof(IAccountGrain.ApplyAndReportAsync)), WireSamples.Update(data: [], signature: null)),
            Call(new GrainId("ingest", "default"), WireSamples.GrainMethodOf<IGeyserIngestGrain>(nameof(IGeyserIngestGrain.AddInterestAsync)), WireSamples.ProgramInterest()),
            Call(new GrainId("ingest", "default"), WireSamples.GrainMethodOf<IGeyserIngestGrain>(nameof(IGeyserIngestGrain.RemoveInterestAsync)), "account:x"),
        };

        var (decoded, refused) = Fuzz(seeds, payload => WireSamples.Codec.Decode(payload));

        (decoded + refused).Should().Be(Mutations);
        refused.Should().BeGreaterThan(Mutations / 2);
    }

    [Fact]
    public void Damaged_replies_decode_or_fail_with_a_wire_error()
    {
        var snapshot = WireSamples.GrainMethodOf<IAccountGrain>(nameof(IAccountGrain.GetSnapshotAsync));
        var interests = WireSamples.GrainMethodOf<IGeyserIngestGrain>(nameof(IGeyserIngestGrain.GetInterestAsync));
        var seeds = new[]
        {
            GrainReplyCodec.EncodeResult(snapshot, new AccountSnapshot(WireSamples.Usdc, WireSamples.State(), SnapshotSource.Cache)),
            GrainReplyCodec.EncodeResult(interests, new List<Interest> { WireSamples.ProgramInterest(), Interest.Account(WireSamples.Usdc) }),
            GrainReplyCodec.EncodeException(new ArgumentException("bad pubkey", "pubkey")),
        };

        var (decoded, refused) = Fuzz(seeds, payload =>
        {
            GrainReplyCodec.Decode(payload, snapshot);
            return default;
        });
        var (decoded2, refused2) = Fuzz(seeds, payload =>
        {
            GrainReplyCodec.Decode(payload, interests);
            return default;
        });

        (decoded + refused + decoded2 + refused2).Should().Be(2 * Mutations);
    }

    [Fact]
    public void Damaged_events_decode_or_fail_with_a_wire_error()
    {
        var seeds = new[]
        {
            StreamEventCodec.Encode(new AccountChanged(WireSamples.State())),
            StreamEventCodec.Encode(new AccountChanged(WireSamples.State(data: [], lamports: 0, signature: null, decoded: WireSamples.Undecodable()))),
        };

        var (decoded, refused) = Fuzz(seeds, payload =>
        {
            StreamEventCodec.Decode(payload);
            return default;
        });

        (decoded + refused).Should().Be(Mutations);
    }

    [Fact]
    public void Damaged_wallet_events_decode_or_fail_with_a_wire_error()
    {
        var seeds = new[]
        {
            StreamEventCodec.Encode(WireSamples.WalletChange()),
            StreamEventCodec.Encode(WireSamples.WalletChange(sequence: 1, withActivity: false)),
        };

        var (decoded, refused) = Fuzz(seeds, payload =>
        {
            StreamEventCodec.DecodeWallet(payload);
            return default;
        });

        (decoded + refused).Should().Be(Mutations);
        refused.Should().BeGreaterThan(Mutations / 2);
    }

    private static byte[] Call(GrainId target, GrainMethod method, object? argument) =>
        WireSamples.Codec.Encode(target, method, [argument], method.IsOneWay);

    private static (int Decoded, int Refused) Fuzz(byte[][] seeds, Func<byte[], GrainCall> read)
    {
        var random = new Random(20250314);
        int decoded = 0, refused = 0;
        for (var i = 0; i < Mutations; i++)
        {
            var payload = Mutate(seeds[random.Next(seeds.Length)], random);
            try
            {
                read(payload);
                decoded++;
            }
            catch (GrainWireException e)
            {
                e.Message.Should().NotBeNullOrWhiteSpace();
                refused++;
            }
            catch (Exception e)
            {
                throw new Xunit.Sdk.XunitException($"mutation {i} ({Convert.ToHexString(payload.AsSpan(0, Math.Min(64, payload.Length)))}...) threw {e}");
            }
        }

        return (decoded, refused);
    }

    private static byte[] Mutate(byte[] seed, Random random)
    {
        var bytes = new List<byte>(seed);
        var edits = 1 + random.Next(4);
        for (var e = 0; e < edits; e++)
        {
            var at = bytes.Count == 0 ? 0 : random.Next(bytes.Count);
            switch (random.Next(7))
            {
                case 0 when bytes.Count > 0:
                    bytes[at] ^= (byte)(1 << random.Next(8));
                    break;
                case 1 when bytes.Count > 0:
                    bytes[at] = (byte)random.Next(256);
                    break;
                case 2:
                    bytes.Insert(at, (byte)random.Next(256));
                    break;
                case 3 when bytes.Count > 0:
                    bytes.RemoveAt(at);
                    break;
                case 4:
                    bytes.RemoveRange(at, bytes.Count - at);
                    break;
                case 5 when bytes.Count > 0:
                    bytes[at] = (byte)"{}[]\",:0n\\"[random.Next(10)];
                    break;
                case 6:
                    var noise = new byte[random.Next(1, 40)];
                    random.NextBytes(noise);
                    return random.Next(4) == 0 ? noise : [.. bytes.Take(at), .. noise];
            }
        }

        return [.. bytes];
    }
}
