using System.Text.Json.Nodes;

using AccountGrains.Solana.Decoding;
using AccountGrains.Solana.Decoding.Anchor;

namespace AccountGrains.Solana.Tests.Decoding.Anchor;

/// <summary>
/// The constructs DAMM v2 does not use (enums, options, vecs, strings, bytes, tuple structs, aliases, floats, 256-bit
/// integers), from a test IDL that uses each, encoded by @coral-xyz/anchor and compared field by field.
/// </summary>
public sealed class AnchorAllTypesCrossCheckTests
{
    private const int Vectors = 300;

    private static readonly Lazy<AnchorIdl> Idl = new(() => AnchorIdl.Load(AnchorVectorScript.AllTypesIdlPath));

    [Theory]
    [InlineData("Everything", "everything", 2001)]
    [InlineData("ZeroCopy", "zero_copy", 2002)]
    [InlineData("Empty", "empty", 2003)]
    public async Task Every_field_matches_what_anchor_decodes_from_the_same_bytes(string account, string accountType, int seed)
    {
        IReadOnlyList<AnchorVector> vectors = await AnchorVectorScript.GenericAsync(AnchorVectorScript.AllTypesIdlPath, seed, Vectors, account);
        var decoder = new AnchorIdlDecoder(Idl.Value);
        var registry = new AccountDecoderRegistry([decoder]);
        var differences = new List<string>();

        vectors.Should().HaveCount(Vectors);
        foreach (AnchorVector vector in vectors)
        {
            DecodedAccountData result = registry.Decode(decoder.ProgramId, vector.Data);
            string where = $"{account} #{vector.Index} (seed {seed}, {Convert.ToBase64String(vector.Data)})";
            if (result.Error is not null || result.AccountType != accountType)
            {
                differences.Add($"{where}: decoded as {result.AccountType}, error {result.Error}");
                continue;
            }

            var found = new List<string>();
            JsonCompare.Collect(vector.Expected, JsonNode.Parse(result.FieldsJson), string.Empty, found);
            differences.AddRange(found.Select(d => $"{where}: {d}"));
        }

        if (differences.Count > 0)
        {
            Assert.Fail($"{differences.Count} differences from anchor; the first ten:\n{string.Join('\n', differences.Take(10))}");
        }
    }

    [Fact]
    public async Task Vectors_reach_every_enum_variant_both_option_states_and_non_ascii_strings()
    {
        IReadOnlyList<AnchorVector> vectors = await AnchorVectorScript.GenericAsync(AnchorVectorScript.AllTypesIdlPath, 2001, Vectors, "Everything");
        IEnumerable<JsonObject> values = vectors.Select(v => v.Expected);

        values.Select(v => v["status"] is JsonObject o ? o.Single().Key : v["status"]!.GetValue<string>()).Distinct()
            .Should().BeEquivalentTo("Idle", "Active", "Moved");
        values.Should().Contain(v => v["maybe_u64"] == null).And.Contain(v => v["maybe_u64"] != null);
        values.Should().Contain(v => v["maybe_inner"] == null).And.Contain(v => v["maybe_inner"] != null);
        values.Should().Contain(v => v["label"]!.GetValue<string>().Any(c => c > 127));
        values.Should().Contain(v => v["a_i256"]!.GetValue<string>().StartsWith('-'));
        values.Should().Contain(v => v["list"]!.AsArray().Count == 0).And.Contain(v => v["list"]!.AsArray().Count > 2);
    }
}
