using System.ComponentModel;
using System.Diagnostics;

namespace AccountGrains.Solana.Tests.TestSupport;

/// <summary>
/// Runs one node script of a reference-library folder and returns its output lines. A folder whose packages are not
/// installed fails the test with how to install them: a cross-check that cannot run must never pass by skipping.
/// </summary>
internal static class NodeScript
{
    private static readonly TimeSpan Timeout = TimeSpan.FromMinutes(2);

    /// <param name="folder">The npm folder to run in.</param>
    /// <param name="packages">Packages (as under node_modules, e.g. "@solana/spl-token") that must be installed.</param>
    /// <param name="npmHint">What to do when they are not, e.g. "run npm ci in … (./test.sh does this)".</param>
    /// <param name="arguments">The script and its arguments.</param>
    public static async Task<IReadOnlyList<string>> RunAsync(string folder, IEnumerable<string> packages, string npmHint, IReadOnlyList<string> arguments)
    {
        foreach (string package in packages)
        {
            if (!Directory.Exists(Path.Combine(folder, "node_modules", package)))
            {
                Assert.Fail($"{folder}/node_modules has no {package}: {npmHint}");
            }
        }

        var start = new ProcessStartInfo("node")
        {
            WorkingDirectory = folder,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (string argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        string command = $"node {string.Join(' ', arguments)}";
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
                throw new TimeoutException($"{command} did not finish within {Timeout}");
            }

            string output = await stdout;
            string errors = await stderr;
            if (process.ExitCode != 0)
            {
                Assert.Fail($"{command} exited with {process.ExitCode}: {errors}\n{npmHint} if a module is missing");
            }

            return output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        }
    }
}
