using System.Collections.Concurrent;
using System.Globalization;
using System.Text.Json.Nodes;

using AccountGrains.Solana.Tests.TestSupport;

namespace AccountGrains.Solana.Tests.Decoding.Token2022;

/// <summary>One Token-2022 mint or account built by @solana/spl-token, with what the library reads back from it.</summary>
internal sealed record Token2022Vector(int Index, string Kind, byte[] Data, JsonObject Expected);

/// <summary>Runs node/token2022-vectors.mjs, which builds extended mints and accounts with the official libraries.</summary>
internal static class Token2022VectorScript
{
    public const string NpmHint = "run npm ci in tests/AccountGrains.Solana.Tests/node (./test.sh does this)";
    private const string Script = "token2022-vectors.mjs";

    // Node takes about a second to start with web3.js loaded, so each (seed, count, kind) runs once per test run.
    private static readonly ConcurrentDictionary<string, Lazy<Task<IReadOnlyList<Token2022Vector>>>> Runs = new();

    public static string NodeFolder => Path.Combine(RepositoryRoot.Find(), "tests", "AccountGrains.Solana.Tests", "node");

    public static Task<IReadOnlyList<Token2022Vector>> GetAsync(int seed, int count, string kind)
    {
        return Runs.GetOrAdd($"{seed} {count} {kind}", _ => new(() => RunAsync(NodeFolder, seed, count, kind))).Value;
    }

    /// <summary>Runs the script in <paramref name="folder"/>; fails the test, never skips it, when its packages are missing.</summary>
    public static async Task<IReadOnlyList<Token2022Vector>> RunAsync(string folder, int seed, int count, string kind)
    {
        var lines = await NodeScript.RunAsync(
            folder,
            ["@solana/spl-token", "@solana/spl-token-metadata", "@solana/spl-token-group"],
            NpmHint,
            [Script, seed.ToString(CultureInfo.InvariantCulture), count.ToString(CultureInfo.InvariantCulture), kind]);
        return lines.Select(Parse).ToList();
    }

    private static Token2022Vector Parse(string line, int index)
    {
        JsonObject vector = JsonNode.Parse(line)!.AsObject();
        return new Token2022Vector(
            index,
            vector["kind"]!.GetValue<string>(),
            Convert.FromBase64String(vector["data_base64"]!.GetValue<string>()),
            vector["expected"]!.AsObject());
    }
}
