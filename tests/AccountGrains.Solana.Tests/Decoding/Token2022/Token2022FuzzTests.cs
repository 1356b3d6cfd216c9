using System.Buffers.Binary;
using System.Text;
using System.Text.Json;

using AccountGrains.Solana.Decoding;

namespace AccountGrains.Solana.Tests.Decoding.Token2022;

/// <summary>
/// Random, mutated and truncated Token-2022 data through the registry: every outcome is one JSON object, either a
/// decoded mint, account or multisig, or a rejection with a reason code; never an exception or a decoder fault.
/// </summary>
public sealed class Token2022FuzzTests
{
    private const int Cases = 6000;

    private static readonly string[] MintFields = ["mint_authority", "supply", "decimals", "is_initialized", "freeze_authority"];

    private static readonly string[] AccountFields =
        ["mint", "owner", "amount", "delegate", "state", "is_native", "delegated_amount", "close_authority"];

    private static readonly HashSet<string> ExtensionNames =
    [
        "transfer_fee_config", "transfer_fee_amount", "mint_close_authority", "default_account_state", "immutable_owner",
        "memo_transfer", "non_transferable", "interest_bearing_config", "cpi_guard", "permanent_delegate",
        "non_transferable_account", "transfer_hook", "transfer_hook_account", "metadata_pointer", "token_metadata",
        "group_pointer", "token_group", "group_member_pointer", "token_group_member", "scaled_ui_amount", "pausable",
        "pausable_account",
    ];

    // Decodable types with their fixed value lengths (TokenMetadata, 19, is built separately), and some that are not.
    private static readonly (ushort Type, int Length)[] FixedExtensions =
    [
        (1, 108), (2, 8), (3, 32), (6, 1), (7, 0), (8, 1), (9, 0), (10, 52), (11, 1), (12, 32), (13, 0), (14, 64),
        (15, 1), (18, 64), (20, 64), (21, 80), (22, 64), (23, 72), (25, 56), (26, 33), (27, 0),
    ];

    private static readonly ushort[] UndecodedTypes = [4, 5, 16, 17, 24, 28, 1000, ushort.MaxValue];

    private static readonly int[] InterestingLengths = [0, 1, 81, 82, 83, 164, 165, 166, 167, 169, 170, 171, 354, 355, 356, 357];

    [Fact]
    public void Random_mutated_and_truncated_token_2022_data_is_decoded_or_rejected_with_a_reason_and_never_throws()
    {
        var random = new Random(2022_0601);
        var registry = AccountDecoderRegistry.CreateDefault();
        var outcomes = new Dictionary<string, int>();

        for (int i = 0; i < Cases; i++)
        {
            byte[] data = random.Next(4) == 0 ? RandomBytes(random) : Mutate(random, ValidExtendedAccount(random));

            string outcome = Check(registry, data, $"case {i}");
            outcomes[outcome] = outcomes.GetValueOrDefault(outcome) + 1;
        }

        // Both paths, and every way of failing, must really be exercised, or the loop proves nothing.
        int decoded = outcomes.GetValueOrDefault("mint") + outcomes.GetValueOrDefault("token_account") + outcomes.GetValueOrDefault("multisig");
        decoded.Should().BeGreaterThan(1000, string.Join(", ", outcomes));
        (Cases - decoded).Should().BeGreaterThan(1000, string.Join(", ", outcomes));
        outcomes.Should().ContainKeys("mint", "token_account", "multisig", DecodeFailure.InvalidLength, DecodeFailure.Truncated, DecodeFailure.InvalidData);
        outcomes.Where(o => o.Key is not ("multisig" or DecodeFailure.InvalidLength)).Should().OnlyContain(o => o.Value > 100, string.Join(", ", outcomes));
    }

    [Fact]
    public void Every_prefix_of_an_extended_mint_decodes_or_is_rejected_with_a_reason()
    {
        var random = new Random(7);
        byte[] full = ValidExtendedAccount(random, mint: true, entries: 12);
        var registry = AccountDecoderRegistry.CreateDefault();
        var outcomes = new HashSet<string>();

        for (int length = 0; length <= full.Length; length++)
        {
            outcomes.Add(Check(registry, full[..length], $"prefix of {length} bytes"));
        }

        registry.Decode(WellKnownPrograms.Token2022, full).AccountType.Should().Be("mint");
        outcomes.Should().Contain(["mint", DecodeFailure.InvalidLength, DecodeFailure.Truncated]);
    }

    /// <summary>Decodes and checks the outcome's shape; returns the account type, or the reason code of a rejection.</summary>
    private static string Check(AccountDecoderRegistry registry, byte[] data, string label)
    {
        DecodedAccountData result = registry.Decode(WellKnownPrograms.Token2022, data);

        string context = $"{label}: {data.Length} bytes {Convert.ToHexString(data)}, error {result.Error}";
        using JsonDocument fields = JsonDocument.Parse(result.FieldsJson);
        JsonElement root = fields.RootElement;
        root.ValueKind.Should().Be(JsonValueKind.Object, context);
        string[] names = root.EnumerateObject().Select(p => p.Name).ToArray();
        if (result.Error is not null)
        {
            result.AccountType.Should().Be("unknown", context);
            names.Should().BeEmpty(context);
            result.Error.Should().StartWith("spl-token-2022: ", context);
            result.FailureReason.Should().BeOneOf([DecodeFailure.InvalidLength, DecodeFailure.Truncated, DecodeFailure.InvalidData], context);
            return result.FailureReason!;
        }

        result.Program.Should().Be("spl-token-2022", context);
        switch (result.AccountType)
        {
            case "multisig":
                names.Should().Equal(["m", "n", "is_initialized", "signers"], context);
                return result.AccountType;
            case "mint":
                names.Take(MintFields.Length).Should().Equal(MintFields, context);
                break;
            case "token_account":
                names.Take(AccountFields.Length).Should().Equal(AccountFields, context);
                break;
            default:
                throw new InvalidOperationException($"unexpected account type {result.AccountType}; {context}");
        }

        int baseCount = result.AccountType == "mint" ? MintFields.Length : AccountFields.Length;
        string.Join(',', names.Skip(baseCount)).Should().BeOneOf(["extensions", "extensions,unknown_extensions"], context);
        string[] extensions = root.GetProperty("extensions").EnumerateObject().Select(p => p.Name).ToArray();
        extensions.Should().OnlyHaveUniqueItems(context).And.BeSubsetOf(ExtensionNames, context);
        if (root.TryGetProperty("unknown_extensions", out JsonElement unknown))
        {
            unknown.GetArrayLength().Should().BePositive(context);
        }

        return result.AccountType;
    }

    private static byte[] RandomBytes(Random random)
    {
        int length = random.Next(2) == 0 ? InterestingLengths[random.Next(InterestingLengths.Length)] : random.Next(0, 600);
        var data = new byte[length];
        random.NextBytes(data);
        if (length == 355 && random.Next(2) == 0)
        {
            data[1] = (byte)random.Next(12);                // a multisig signer count that fits its 11 slots
        }
        else if (length > 165 && random.Next(2) == 0)
        {
            data[165] = (byte)random.Next(1, 3);            // get past the account type byte now and then
        }

        return data;
    }

    /// <summary>
    /// A mint or account with random extension entries whose values hold valid option tags, bools, states, finite
    /// multipliers and well-formed metadata, so decoding gets deep before a mutation breaks something.
    /// </summary>
    private static byte[] ValidExtendedAccount(Random random, bool? mint = null, int? entries = null)
    {
        bool isMint = mint ?? random.Next(2) == 0;
        var data = new List<byte>(new byte[166]);
        byte[] baseBytes = new byte[isMint ? 82 : 165];
        random.NextBytes(baseBytes);
        if (isMint)
        {
            Tag(random, baseBytes, 0);
            baseBytes[45] = (byte)random.Next(2);
            Tag(random, baseBytes, 46);
        }
        else
        {
            Tag(random, baseBytes, 72);
            baseBytes[108] = (byte)random.Next(3);
            Tag(random, baseBytes, 109);
            Tag(random, baseBytes, 129);
        }

        for (int i = 0; i < baseBytes.Length; i++)
        {
            data[i] = baseBytes[i];
        }

        data[165] = isMint ? (byte)1 : (byte)2;
        var used = new HashSet<ushort>();
        for (int count = entries ?? random.Next(0, 6); count > 0; count--)
        {
            int roll = random.Next(10);
            if (roll == 0)
            {
                AddEntry(data, UndecodedTypes[random.Next(UndecodedTypes.Length)], RandomValue(random, random.Next(0, 80)));
            }
            else if (roll == 1 && used.Add(19))
            {
                AddEntry(data, 19, TokenMetadata(random));
            }
            else
            {
                (ushort type, int length) = FixedExtensions[random.Next(FixedExtensions.Length)];
                if (used.Add(type))
                {
                    AddEntry(data, type, FixedValue(random, type, length));
                }
            }
        }

        if (data.Count == 355)
        {
            data.AddRange(new byte[2]);
        }

        return [.. data];
    }

    private static byte[] FixedValue(Random random, ushort type, int length)
    {
        byte[] value = RandomValue(random, length);
        switch (type)
        {
            case 6:
                value[0] = (byte)random.Next(3);
                break;
            case 25:
                BinaryPrimitives.WriteDoubleLittleEndian(value.AsSpan(32), random.NextDouble() * 1000);
                BinaryPrimitives.WriteDoubleLittleEndian(value.AsSpan(48), random.NextDouble());
                break;
            default:
                break;
        }

        return value;
    }

    private static byte[] RandomValue(Random random, int length)
    {
        var value = new byte[length];
        random.NextBytes(value);
        if (length >= 32 && random.Next(3) == 0)
        {
            value.AsSpan(0, 32).Clear();                    // an OptionalNonZeroPubkey that is none
        }

        return value;
    }

    private static byte[] TokenMetadata(Random random)
    {
        var value = new List<byte>(RandomValue(random, 64));
        int strings = 3;
        int pairs = random.Next(3);
        for (int i = 0; i < strings + (2 * pairs) + 1; i++)
        {
            if (i == strings)
            {
                AddU32(value, (uint)pairs);
                continue;
            }

            byte[] text = Encoding.UTF8.GetBytes(new string('x', random.Next(10)) + (random.Next(4) == 0 ? "é🚀" : ""));
            AddU32(value, (uint)text.Length);
            value.AddRange(text);
        }

        return [.. value];
    }

    private static void AddEntry(List<byte> data, ushort type, byte[] value)
    {
        var header = new byte[4];
        BinaryPrimitives.WriteUInt16LittleEndian(header, type);
        BinaryPrimitives.WriteUInt16LittleEndian(header.AsSpan(2), (ushort)value.Length);
        data.AddRange(header);
        data.AddRange(value);
    }

    private static void AddU32(List<byte> data, uint value)
    {
        var bytes = new byte[4];
        BinaryPrimitives.WriteUInt32LittleEndian(bytes, value);
        data.AddRange(bytes);
    }

    // A few bytes changed, and sometimes a few added or cut, anywhere in the data.
    private static byte[] Mutate(Random random, byte[] data)
    {
        for (int flips = random.Next(3); flips > 0; flips--)
        {
            data[random.Next(data.Length)] = (byte)random.Next(256);
        }

        return random.Next(6) switch
        {
            0 => data[..random.Next(data.Length)],
            1 => [.. data, .. RandomValue(random, random.Next(1, 5))],
            _ => data,
        };
    }

    private static void Tag(Random random, byte[] data, int offset)
    {
        BinaryPrimitives.WriteUInt32LittleEndian(data.AsSpan(offset), (uint)random.Next(2));
    }
}
