using System.Collections.Concurrent;
using System.Text.Json.Nodes;

namespace AccountGrains.Solana.Tests.TestSupport;

/// <summary>One account built by @solana/spl-token, with the fields spl-token itself reads back from it.</summary>
internal sealed record SplVector(int Index, string Kind, byte[] Data, JsonObject Expected);

/// <summary>Runs node/spl-vectors.mjs, which builds accounts with the official spl-token layouts.</summary>
internal static class SplVectorScript
{
    private const string NpmHint = "run npm ci in tests/AccountGrains.Solana.Tests/node (./test.sh does this)";
    // Node takes about a second to start with web3.js loaded, so each (seed, count, kind) runs once per test run.
    private static readonly ConcurrentDictionary<string, Lazy<Task<IReadOnlyList<SplVector>>>> Runs = new();

    public static Task<IReadOnlyList<SplVector>> GetAsync(int seed, int count, string kind)
    {
        return Runs.GetOrAdd($"{seed} {count} {kind}", _ => new(() => RunAsync(seed, count, kind))).Value;
    }

    private static async Task<IReadOnlyList<SplVector>> RunAsync(int seed, int count, string kind)
    {
        string folder = Path.Combine(RepositoryRoot.Find(), "tests", "AccountGrains.Solana.Tests", "node");
        var lines = await NodeScript.RunAsync(folder, ["@solana/spl-token"], NpmHint, ["spl-vectors.mjs", Number(seed), Number(count), kind]);
        return lines.Select(Parse).ToList();
    }

    private static string Number(int value) => value.ToString(System.Globalization.CultureInfo.InvariantCulture);

    private static SplVector Parse(string line, int index)
    {
        JsonObject vector = JsonNode.Parse(line)!.AsObject();
        return new SplVector(
            index,
            vector["kind"]!.GetValue<string>(),
            Convert.FromBase64String(vector["data_base64"]!.GetValue<string>()),
            vector["expected"]!.AsObject());
    }
}
