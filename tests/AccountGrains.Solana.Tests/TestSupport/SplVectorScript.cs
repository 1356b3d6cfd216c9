using System.Collections.Concurrent;
using System.ComponentModel;
using System.Diagnostics;
using System.Text.Json.Nodes;

namespace AccountGrains.Solana.Tests.TestSupport;

/// <summary>One account built by @solana/spl-token, with the fields spl-token itself reads back from it.</summary>
internal sealed record SplVector(int Index, string Kind, byte[] Data, JsonObject Expected);

/// <summary>Runs node/spl-vectors.mjs, which builds accounts with the official spl-token layouts.</summary>
internal static class SplVectorScript
{
    private const string NpmHint = "run npm ci in tests/AccountGrains.Solana.Tests/node (./test.sh does this)";
    private static readonly TimeSpan Timeout = TimeSpan.FromMinutes(2);

    // Node takes about a second to start with web3.js loaded, so each (seed, count, kind) runs once per test run.
    private static readonly ConcurrentDictionary<string, Lazy<Task<IReadOnlyList<SplVector>>>> Runs = new();

    public static Task<IReadOnlyList<SplVector>> GetAsync(int seed, int count, string kind)
    {
        return Runs.GetOrAdd($"{seed} {count} {kind}", _ => new(() => RunAsync(seed, count, kind))).Value;
    }

    private static async Task<IReadOnlyList<SplVector>> RunAsync(int seed, int count, string kind)
    {
        string folder = Path.Combine(RepositoryRoot.Find(), "tests", "AccountGrains.Solana.Tests", "node");
        if (!Directory.Exists(Path.Combine(folder, "node_modules", "@solana", "spl-token")))
        {
            Assert.Fail($"{folder}/node_modules has no @solana/spl-token: {NpmHint}");
        }

        var start = new ProcessStartInfo("node")
        {
            WorkingDirectory = folder,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add("spl-vectors.mjs");
        start.ArgumentList.Add(seed.ToString(System.Globalization.CultureInfo.InvariantCulture));
        start.ArgumentList.Add(count.ToString(System.Globalization.CultureInfo.InvariantCulture));
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
                throw new TimeoutException($"node spl-vectors.mjs {seed} {count} {kind} did not finish within {Timeout}");
            }

            string output = await stdout;
            string errors = await stderr;
            if (process.ExitCode != 0)
            {
                Assert.Fail($"node spl-vectors.mjs {seed} {count} {kind} exited with {process.ExitCode}: {errors}\n{NpmHint} if a module is missing");
            }

            return output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(Parse).ToList();
        }
    }

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
