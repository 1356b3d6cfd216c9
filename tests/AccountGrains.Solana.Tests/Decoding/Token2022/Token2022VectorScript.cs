using System.Collections.Concurrent;
using System.ComponentModel;
using System.Diagnostics;
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
    private static readonly TimeSpan Timeout = TimeSpan.FromMinutes(2);

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
        foreach (string package in new[] { "spl-token", "spl-token-metadata", "spl-token-group" })
        {
            if (!Directory.Exists(Path.Combine(folder, "node_modules", "@solana", package)))
            {
                Assert.Fail($"{folder}/node_modules has no @solana/{package}: {NpmHint}");
            }
        }

        var start = new ProcessStartInfo("node")
        {
            WorkingDirectory = folder,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(Script);
        start.ArgumentList.Add(seed.ToString(CultureInfo.InvariantCulture));
        start.ArgumentList.Add(count.ToString(CultureInfo.InvariantCulture));
        start.ArgumentList.Add(kind);

        Process process;
        try
        {
            process = Process.Start(start) ?? throw new InvalidOperationException("Process.Start returned null for node");
        }
        catch (Win32Exception ex)
        {
            throw new InvalidOperationException($"could not start node ({ex.Message}); install Node 20+ and put it on PATH", ex);
        }

        using (process)
        {
            Task<string> stdout = process.StandardOutput.ReadToEndAsync();
            Task<string> stderr = process.StandardError.ReadToEndAsync();
            using var timeout = new CancellationTokenSource(Timeout);
            try
            {
                await process.WaitForExitAsync(timeout.Token);
            }
            catch (OperationCanceledException)
            {
                process.Kill(entireProcessTree: true);
                throw new TimeoutException($"node {Script} {seed} {count} {kind} did not finish within {Timeout}");
            }

            string output = await stdout;
            string errors = await stderr;
            if (process.ExitCode != 0)
            {
                Assert.Fail($"node {Script} {seed} {count} {kind} exited with {process.ExitCode}: {errors}\n{NpmHint} if a module is missing");
            }

            return output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(Parse).ToList();
        }
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
