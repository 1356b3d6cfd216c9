using System.Globalization;
using System.Numerics;
using System.Text.Json;
using System.Text.Json.Nodes;

using AccountGrains.Solana.Decoding;

namespace AccountGrains.Solana.Tests.Decoding.Token2022;

/// <summary>
/// Decodes Token-2022 mints and accounts that @solana/spl-token (with spl-token-metadata and spl-token-group) built,
/// with random combinations of extensions, and compares every field, nested ones included, with what those
/// libraries read back from the same bytes.
/// </summary>
public sealed class Token2022CrossCheckTests
{
    private const int VectorsPerKind = 400;
    private const int MintSeed = 2022;
    private const int AccountSeed = 4044;

    [Theory]
    [InlineData("mint", "mint", MintSeed)]
    [InlineData("account", "token_account", AccountSeed)]
    public async Task Every_field_matches_what_the_spl_token_libraries_read_from_the_same_bytes(string kind, string accountType, int seed)
    {
        IReadOnlyList<Token2022Vector> vectors = await Token2022VectorScript.GetAsync(seed, VectorsPerKind, kind);
        var registry = AccountDecoderRegistry.CreateDefault();
        var mismatches = new List<string>();

        vectors.Should().HaveCount(VectorsPerKind).And.OnlyContain(v => v.Kind == kind);
        foreach (Token2022Vector vector in vectors)
        {
            DecodedAccountData result = registry.Decode(WellKnownPrograms.Token2022, vector.Data);
            string where = $"{kind} #{vector.Index} (seed {seed}, {Convert.ToBase64String(vector.Data)})";
            if (result.Error is not null || result.AccountType != accountType)
            {
                mismatches.Add($"{where}: decoded as {result.AccountType}, error {result.Error}");
                continue;
            }

            Compare(vector.Expected, JsonNode.Parse(result.FieldsJson), "", mismatches, where);
        }

        if (mismatches.Count > 0)
        {
            Assert.Fail($"{mismatches.Count} field mismatches against @solana/spl-token; the first ten:\n{string.Join('\n', mismatches.Take(10))}");
        }
    }

    [Fact]
    public async Task Mint_vectors_cover_every_mint_extension_undecoded_entries_padding_and_plain_mints()
    {
        IReadOnlyList<Token2022Vector> mints = await Token2022VectorScript.GetAsync(MintSeed, VectorsPerKind, "mint");

        string[] mintExtensions =
        [
            "transfer_fee_config", "mint_close_authority", "default_account_state", "non_transferable", "interest_bearing_config",
            "permanent_delegate", "transfer_hook", "metadata_pointer", "token_metadata", "group_pointer", "token_group",
            "group_member_pointer", "token_group_member", "scaled_ui_amount", "pausable",
        ];
        foreach (string name in mintExtensions)
        {
            mints.Should().Contain(v => v.Expected["extensions"]![name] != null, $"some mints have {name}");
        }

        mints.Should().Contain(v => v.Expected["unknown_extensions"] != null, "some mints have undecoded entries");
        mints.Should().Contain(v => v.Data.Length == 82, "some mints have no extensions");
        mints.Should().Contain(v => v.Data.Length == 357, "some mints were padded past the multisig length");
        mints.Should().Contain(v => Extension(v, "transfer_fee_config", "withdraw_withheld_authority") == null)
            .And.Contain(v => Extension(v, "transfer_fee_config", "withdraw_withheld_authority") != null);
        mints.Should().Contain(v => Extension(v, "token_metadata", "update_authority") == null)
            .And.Contain(v => ArrayCount(Extension(v, "token_metadata", "additional_metadata")) > 1);
        mints.Should().Contain(v => Number(Extension(v, "interest_bearing_config", "initialization_timestamp")) < 0);
        mints.Select(v => Extension(v, "default_account_state", "state")?.GetValue<string>()).OfType<string>().Distinct()
            .Should().BeEquivalentTo("uninitialized", "initialized", "frozen");
    }

    [Fact]
    public async Task Account_vectors_cover_every_account_extension_undecoded_entries_padding_and_plain_accounts()
    {
        IReadOnlyList<Token2022Vector> accounts = await Token2022VectorScript.GetAsync(AccountSeed, VectorsPerKind, "account");

        string[] accountExtensions =
        [
            "transfer_fee_amount", "immutable_owner", "memo_transfer", "cpi_guard", "non_transferable_account",
            "transfer_hook_account", "pausable_account",
        ];
        foreach (string name in accountExtensions)
        {
            accounts.Should().Contain(v => v.Expected["extensions"]![name] != null, $"some accounts have {name}");
        }

        accounts.Should().Contain(v => v.Expected["unknown_extensions"] != null, "some accounts have undecoded entries");
        accounts.Should().Contain(v => v.Data.Length == 165, "some accounts have no extensions");
        accounts.Should().Contain(v => v.Data.Length == 357, "some accounts were padded past the multisig length");
        accounts.Should().Contain(v => Flag(Extension(v, "memo_transfer", "require_incoming_transfer_memos")) == true)
            .And.Contain(v => Flag(Extension(v, "memo_transfer", "require_incoming_transfer_memos")) == false);
    }

    [Fact]
    public async Task Missing_node_modules_fails_the_test_with_the_npm_hint_instead_of_skipping_it()
    {
        string folder = Directory.CreateTempSubdirectory("token2022-no-node-modules").FullName;
        try
        {
            Func<Task> run = () => Token2022VectorScript.RunAsync(folder, 1, 1, "mint");

            await run.Should().ThrowAsync<Xunit.Sdk.FailException>()
                .WithMessage("*node_modules has no @solana/spl-token: run npm ci in tests/AccountGrains.Solana.Tests/node (./test.sh does this)");
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    private static JsonNode? Extension(Token2022Vector vector, string extension, string field)
    {
        return vector.Expected["extensions"]![extension]?[field];
    }

    private static int ArrayCount(JsonNode? node)
    {
        return node is JsonArray array ? array.Count : -1;
    }

    private static long? Number(JsonNode? node)
    {
        return node is JsonValue value ? value.GetValue<long>() : null;
    }

    private static bool? Flag(JsonNode? node)
    {
        return node is JsonValue value ? value.GetValue<bool>() : null;
    }

    /// <summary>
    /// Compares two JSON values recursively, naming each differing path: objects by their keys in any order, arrays
    /// item by item, numbers by value (integers exactly, so i64 timestamps past 2^53 count; fractions as doubles,
    /// since JavaScript and .NET spell some exponents differently), everything else by its JSON text.
    /// </summary>
    private static void Compare(JsonNode? expected, JsonNode? actual, string path, List<string> mismatches, string where)
    {
        string shown = path.Length == 0 ? "(root)" : path;
        switch (expected, actual)
        {
            case (null, null):
                return;
            case (JsonObject e, JsonObject a):
                foreach (string key in e.Select(p => p.Key).Union(a.Select(p => p.Key)))
                {
                    if (!e.ContainsKey(key) || !a.ContainsKey(key))
                    {
                        mismatches.Add($"{where}: {path}.{key} expected {Show(e, key)} but was {Show(a, key)}");
                    }
                    else
                    {
                        Compare(e[key], a[key], $"{path}.{key}", mismatches, where);
                    }
                }

                return;
            case (JsonArray e, JsonArray a) when e.Count == a.Count:
                for (int i = 0; i < e.Count; i++)
                {
                    Compare(e[i], a[i], $"{path}[{i}]", mismatches, where);
                }

                return;
            case (JsonValue e, JsonValue a) when e.GetValueKind() == JsonValueKind.Number && a.GetValueKind() == JsonValueKind.Number:
                if (!SameNumber(e.ToJsonString(), a.ToJsonString()))
                {
                    mismatches.Add($"{where}: {shown} expected {e.ToJsonString()} but was {a.ToJsonString()}");
                }

                return;
            default:
                if (expected?.ToJsonString() != actual?.ToJsonString())
                {
                    mismatches.Add($"{where}: {shown} expected {expected?.ToJsonString() ?? "null"} but was {actual?.ToJsonString() ?? "null"}");
                }

                return;
        }
    }

    private static bool SameNumber(string expected, string actual)
    {
        if (BigInteger.TryParse(expected, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out BigInteger e)
            && BigInteger.TryParse(actual, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out BigInteger a))
        {
            return e == a;
        }

        return double.Parse(expected, CultureInfo.InvariantCulture) == double.Parse(actual, CultureInfo.InvariantCulture);
    }

    private static string Show(JsonObject fields, string name)
    {
        return fields.ContainsKey(name) ? fields[name]?.ToJsonString() ?? "null" : "(missing)";
    }
}
