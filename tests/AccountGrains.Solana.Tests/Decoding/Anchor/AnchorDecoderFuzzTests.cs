using System.Text.Json;

using AccountGrains.Solana.Decoding;
using AccountGrains.Solana.Decoding.Anchor;

namespace AccountGrains.Solana.Tests.Decoding.Anchor;

/// <summary>Random, cut and corrupted accounts through the registry: one JSON object out, never an exception or a decoder fault.</summary>
public sealed class AnchorDecoderFuzzTests
{
    private static readonly string[] Expected = [DecodeFailure.Truncated, DecodeFailure.InvalidData, DecodeFailure.UnknownDiscriminator];

    [Fact]
    public async Task Any_bytes_become_one_json_object_or_a_decode_error_never_an_exception()
    {
        AnchorIdl damm = AnchorIdl.Load(AnchorVectorScript.DammIdlPath);
        AnchorIdl allTypes = AnchorIdl.Load(AnchorVectorScript.AllTypesIdlPath);
        var mints = new FakeMints();
        var registry = new AccountDecoderRegistry([
            new AnchorIdlDecoder(damm, AnchorEnrichers.For(damm.Address, mints)),
            new AnchorIdlDecoder(allTypes),
        ]);
        var seeds = new List<(Pubkey Program, byte[] Data)>();
        foreach (AnchorVector vector in await AnchorVectorScript.DammAsync(3001, 40, "Pool"))
        {
            seeds.Add((damm.Address, vector.Data));
            mints.Set(Pubkey.Parse(vector.Expected["token_a_mint"]!.GetValue<string>()), 255);
            mints.Set(Pubkey.Parse(vector.Expected["token_b_mint"]!.GetValue<string>()), 0);
        }

        foreach (AnchorVector vector in await AnchorVectorScript.GenericAsync(AnchorVectorScript.AllTypesIdlPath, 3002, 80, "Everything"))
        {
            seeds.Add((allTypes.Address, vector.Data));
        }

        var random = new Random(20_260_611);
        var reasons = new Dictionary<string, int>();
        int decoded = 0;
        for (int i = 0; i < 6000; i++)
        {
            (Pubkey program, byte[] seed) = seeds[random.Next(seeds.Count)];
            byte[] data = Mutate(random, seed, program == damm.Address ? damm : allTypes);

            DecodedAccountData result = registry.Decode(program, data);

            string context = $"case {i}: {Convert.ToBase64String(data)}";
            using JsonDocument json = JsonDocument.Parse(result.FieldsJson);
            json.RootElement.ValueKind.Should().Be(JsonValueKind.Object, context);
            if (result.Error is null)
            {
                decoded++;
                continue;
            }

            result.FailureReason.Should().BeOneOf(Expected, $"{context}: {result.Error}");
            json.RootElement.EnumerateObject().Should().BeEmpty(context);
            reasons[result.FailureReason!] = reasons.GetValueOrDefault(result.FailureReason!) + 1;
        }

        // Every path must really be taken, or the loop proves nothing.
        decoded.Should().BeGreaterThan(1000);
        reasons.Keys.Should().BeEquivalentTo(Expected);
        reasons.Values.Should().OnlyContain(count => count > 100);
    }

    private static byte[] Mutate(Random random, byte[] seed, AnchorIdl idl)
    {
        switch (random.Next(6))
        {
            case 0:
                // Fully random, sometimes behind a real discriminator.
                var noise = new byte[random.Next(0, 1300)];
                random.NextBytes(noise);
                if (noise.Length >= 8 && random.Next(2) == 0)
                {
                    idl.Accounts[random.Next(idl.Accounts.Count)].Discriminator.ToArray().CopyTo(noise, 0);
                }

                return noise;
            case 1:
                return seed[..random.Next(seed.Length)];
            case 2:
                return [.. seed, .. new byte[random.Next(1, 100)]];
            default:
                byte[] data = [.. seed];
                for (int flips = random.Next(1, 4); flips > 0; flips--)
                {
                    data[random.Next(8, data.Length)] = (byte)random.Next(256);
                }

                return data;
        }
    }
}
