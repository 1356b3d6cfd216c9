using System.Buffers.Binary;
using System.Text.Json;

using AccountGrains.Solana.Decoding;

namespace AccountGrains.Solana.Tests.Decoding;

public sealed class DecoderFuzzTests
{
    private static readonly Dictionary<string, string[]> FieldsByType = new()
    {
        ["system_account"] = [],
        ["nonce"] = ["version", "state", "authority", "durable_nonce", "lamports_per_signature"],
        ["mint"] = ["mint_authority", "supply", "decimals", "is_initialized", "freeze_authority"],
        ["token_account"] = ["mint", "owner", "amount", "delegate", "state", "is_native", "delegated_amount", "close_authority"],
        ["multisig"] = ["m", "n", "is_initialized", "signers"],
    };

    private static readonly int[] InterestingLengths = [0, 1, 3, 36, 79, 80, 81, 82, 83, 164, 165, 166, 354, 355, 356];

    [Fact]
    public void Registry_turns_any_bytes_into_one_json_object_and_never_throws()
    {
        var random = new Random(20_240_611);
        var registry = AccountDecoderRegistry.CreateDefault();
        Pubkey[] owners = [WellKnownPrograms.System, WellKnownPrograms.SplToken, WellKnownPrograms.Token2022];
        int decoded = 0;
        int rejected = 0;

        for (int i = 0; i < 6000; i++)
        {
            (Pubkey owner, byte[] data) = random.Next(3) == 0
                ? (owners[random.Next(owners.Length)], RandomBytes(random))
                : MutatedValidAccount(random);
            if (random.Next(5) == 0)
            {
                owner = owners[random.Next(owners.Length)];
            }

            DecodedAccountData result = registry.Decode(owner, data);

            string context = $"case {i}: owner {owner}, {data.Length} bytes {Convert.ToHexString(data)}";
            using JsonDocument fields = JsonDocument.Parse(result.FieldsJson);
            fields.RootElement.ValueKind.Should().Be(JsonValueKind.Object, context);
            string[] names = fields.RootElement.EnumerateObject().Select(p => p.Name).ToArray();
            if (result.Error is null)
            {
                decoded++;
                FieldsByType.Should().ContainKey(result.AccountType, context);
                string[] expected = FieldsByType[result.AccountType];
                if (result.AccountType == "nonce" && names.Length == 2)
                {
                    expected = ["version", "state"];
                }

                if (owner == WellKnownPrograms.Token2022 && result.AccountType != "multisig")
                {
                    // Token-2022 mints and accounts carry the base fields, then their extensions.
                    expected = [.. expected, "extensions"];
                    names = names.Where(n => n != "unknown_extensions").ToArray();
                }

                names.Should().Equal(expected, context);
            }
            else
            {
                rejected++;
                result.AccountType.Should().Be("unknown", context);
                names.Should().BeEmpty(context);
                result.Error.Should().StartWith(result.Program + ": ", context);
            }
        }

        // Both paths must really be exercised, or the loop proves nothing.
        decoded.Should().BeGreaterThan(1000);
        rejected.Should().BeGreaterThan(1000);
    }

    private static byte[] RandomBytes(Random random)
    {
        int length = random.Next(2) == 0
            ? InterestingLengths[random.Next(InterestingLengths.Length)]
            : random.Next(0, 400);
        var data = new byte[length];
        random.NextBytes(data);
        return data;
    }

    // Random bytes with the tag, bool and state fields set to valid values, then a few bytes
    // flipped and sometimes a few added or cut, so decoding gets deep before anything goes wrong.
    private static (Pubkey Owner, byte[] Data) MutatedValidAccount(Random random)
    {
        byte[] data;
        Pubkey owner = WellKnownPrograms.SplToken;
        switch (random.Next(4))
        {
            case 0:
                data = RandomOfLength(random, 82);
                Tag(random, data, 0);
                data[45] = (byte)random.Next(2);
                Tag(random, data, 46);
                break;
            case 1:
                data = RandomOfLength(random, 165);
                Tag(random, data, 72);
                data[108] = (byte)random.Next(3);
                Tag(random, data, 109);
                Tag(random, data, 129);
                break;
            case 2:
                data = RandomOfLength(random, 355);
                data[1] = (byte)random.Next(12);
                data[2] = (byte)random.Next(2);
                break;
            default:
                data = RandomOfLength(random, 80);
                owner = WellKnownPrograms.System;
                Tag(random, data, 0);
                Tag(random, data, 4);
                break;
        }

        for (int flips = random.Next(3); flips > 0; flips--)
        {
            data[random.Next(data.Length)] = (byte)random.Next(256);
        }

        return random.Next(8) switch
        {
            0 => (owner, data[..random.Next(data.Length)]),
            1 => (owner, [.. data, .. RandomOfLength(random, random.Next(1, 5))]),
            _ => (owner, data),
        };
    }

    private static byte[] RandomOfLength(Random random, int length)
    {
        var data = new byte[length];
        random.NextBytes(data);
        return data;
    }

    private static void Tag(Random random, byte[] data, int offset)
    {
        BinaryPrimitives.WriteUInt32LittleEndian(data.AsSpan(offset), (uint)random.Next(2));
    }
}
