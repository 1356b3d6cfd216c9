using System.Numerics;
using System.Text.Json.Nodes;

using AccountGrains.Solana.Decoding;
using AccountGrains.Solana.Tests.TestSupport;

namespace AccountGrains.Solana.Tests.Decoding;

/// <summary>
/// Decodes accounts that @solana/spl-token encoded and compares every field with what spl-token
/// itself reads back, so our layouts are checked against an implementation we did not write.
/// </summary>
public sealed class SplTokenCrossCheckTests
{
    private const int VectorsPerKind = 400;
    private const int MintSeed = 101;
    private const int AccountSeed = 202;
    private const int MultisigSeed = 303;

    [Theory]
    [InlineData("mint", "mint", MintSeed)]
    [InlineData("account", "token_account", AccountSeed)]
    [InlineData("multisig", "multisig", MultisigSeed)]
    public async Task Every_field_matches_what_spl_token_js_reads_from_the_same_bytes(string kind, string accountType, int seed)
    {
        IReadOnlyList<SplVector> vectors = await SplVectorScript.GetAsync(seed, VectorsPerKind, kind);
        var registry = AccountDecoderRegistry.CreateDefault();
        var mismatches = new List<string>();

        vectors.Should().HaveCount(VectorsPerKind).And.OnlyContain(v => v.Kind == kind);
        foreach (SplVector vector in vectors)
        {
            DecodedAccountData result = registry.Decode(WellKnownPrograms.SplToken, vector.Data);
            string where = $"{kind} #{vector.Index} (seed {seed}, {Convert.ToBase64String(vector.Data)})";
            if (result.Error is not null || result.AccountType != accountType)
            {
                mismatches.Add($"{where}: decoded as {result.AccountType}, error {result.Error}");
                continue;
            }

            JsonObject actual = JsonNode.Parse(result.FieldsJson)!.AsObject();
            IEnumerable<string> names = actual.Select(p => p.Key).Union(vector.Expected.Select(p => p.Key));
            foreach (string name in names)
            {
                JsonNode? expected = vector.Expected[name];
                JsonNode? got = actual[name];
                if (!actual.ContainsKey(name) || !vector.Expected.ContainsKey(name) || !JsonNode.DeepEquals(expected, got))
                {
                    mismatches.Add($"{where}: {name} expected {Show(vector.Expected, name)} but was {Show(actual, name)}");
                }
            }
        }

        if (mismatches.Count > 0)
        {
            Assert.Fail($"{mismatches.Count} field mismatches against spl-token; the first ten:\n{string.Join('\n', mismatches.Take(10))}");
        }
    }

    [Fact]
    public async Task Vectors_cover_absent_and_present_options_every_state_and_amounts_past_2_to_the_53()
    {
        IReadOnlyList<SplVector> accounts = await SplVectorScript.GetAsync(AccountSeed, VectorsPerKind, "account");
        IReadOnlyList<SplVector> mints = await SplVectorScript.GetAsync(MintSeed, VectorsPerKind, "mint");
        IReadOnlyList<SplVector> multisigs = await SplVectorScript.GetAsync(MultisigSeed, VectorsPerKind, "multisig");

        foreach (string option in new[] { "delegate", "is_native", "close_authority" })
        {
            accounts.Should().Contain(v => v.Expected[option] == null, $"some accounts have no {option}");
            accounts.Should().Contain(v => v.Expected[option] != null, $"some accounts have a {option}");
        }

        accounts.Select(v => v.Expected["state"]!.GetValue<string>()).Distinct()
            .Should().BeEquivalentTo("uninitialized", "initialized", "frozen");
        accounts.Should().Contain(v => BigInteger.Parse(v.Expected["amount"]!.GetValue<string>()) == ulong.MaxValue);
        accounts.Should().Contain(v => BigInteger.Parse(v.Expected["amount"]!.GetValue<string>()) > (1L << 53));
        mints.Should().Contain(v => v.Expected["mint_authority"] == null)
            .And.Contain(v => v.Expected["mint_authority"] != null)
            .And.Contain(v => v.Expected["freeze_authority"] == null)
            .And.Contain(v => v.Expected["freeze_authority"] != null)
            .And.Contain(v => v.Expected["is_initialized"]!.GetValue<bool>() == false);
        multisigs.Should().Contain(v => v.Expected["n"]!.GetValue<int>() == 0)
            .And.Contain(v => v.Expected["n"]!.GetValue<int>() == 11);
    }

    private static string Show(JsonObject fields, string name)
    {
        return fields.ContainsKey(name) ? fields[name]?.ToJsonString() ?? "null" : "(missing)";
    }
}
