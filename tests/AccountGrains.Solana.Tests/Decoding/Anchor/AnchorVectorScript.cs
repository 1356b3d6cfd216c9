using System.Collections.Concurrent;
using System.Globalization;
using System.Text.Json.Nodes;

using AccountGrains.Solana.Tests.TestSupport;

namespace AccountGrains.Solana.Tests.Decoding.Anchor;

/// <summary>One account encoded by @coral-xyz/anchor, what anchor decodes from it, and (DAMM v2 Pool/Config) the SDK's numbers.</summary>
internal sealed record AnchorVector(int Index, string Name, byte[] Data, JsonObject Expected, JsonObject? Sdk);

/// <summary>Runs the scripts of node-anchor/ (damm-vectors.mjs, anchor-vectors.mjs), which build accounts with anchor's coder.</summary>
internal static class AnchorVectorScript
{
    private const string NpmHint = "run npm ci in tests/AccountGrains.Solana.Tests/node-anchor (./test.sh does this)";

    // Node takes a second or two to load anchor and the SDK, so each distinct run happens once per test run.
    private static readonly ConcurrentDictionary<string, Lazy<Task<IReadOnlyList<AnchorVector>>>> Runs = new();

    public static string Folder => Path.Combine(RepositoryRoot.Find(), "tests", "AccountGrains.Solana.Tests", "node-anchor");

    public static string AllTypesIdlPath => Path.Combine(
        RepositoryRoot.Find(), "tests", "AccountGrains.Solana.Tests", "Decoding", "Anchor", "all-types.idl.json");

    public static string DammIdlPath => Path.Combine(RepositoryRoot.Find(), "idls", "meteora-damm-v2.json");

    /// <summary>node damm-vectors.mjs seed count account.</summary>
    public static Task<IReadOnlyList<AnchorVector>> DammAsync(int seed, int count, string account)
    {
        return GetAsync("damm-vectors.mjs", Number(seed), Number(count), account);
    }

    /// <summary>node anchor-vectors.mjs idl seed count account.</summary>
    public static Task<IReadOnlyList<AnchorVector>> GenericAsync(string idlPath, int seed, int count, string account)
    {
        return GetAsync("anchor-vectors.mjs", idlPath, Number(seed), Number(count), account);
    }

    private static string Number(int value) => value.ToString(CultureInfo.InvariantCulture);

    private static Task<IReadOnlyList<AnchorVector>> GetAsync(params string[] arguments)
    {
        return Runs.GetOrAdd(string.Join(' ', arguments), _ => new(() => RunAsync(arguments))).Value;
    }

    private static async Task<IReadOnlyList<AnchorVector>> RunAsync(string[] arguments)
    {
        var lines = await NodeScript.RunAsync(Folder, ["@coral-xyz/anchor", "@meteora-ag/cp-amm-sdk"], NpmHint, arguments);
        return lines.Select(Parse).ToList();
    }

    private static AnchorVector Parse(string line, int index)
    {
        JsonObject vector = JsonNode.Parse(line)!.AsObject();
        return new AnchorVector(
            index,
            vector["name"]!.GetValue<string>(),
            Convert.FromBase64String(vector["data_base64"]!.GetValue<string>()),
            vector["expected"]!.AsObject(),
            vector["sdk"]?.AsObject());
    }
}
