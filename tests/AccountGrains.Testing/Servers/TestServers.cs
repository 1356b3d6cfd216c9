using System.Diagnostics;
using System.Globalization;

namespace AccountGrains.Testing.Servers;

/// <summary>
/// Restarts the throwaway servers of <c>scripts/test-servers.sh</c> (found by <c>ACCOUNTGRAINS_TEST_DIR</c>), for
/// tests of what survives a restart. Every test using the servers sees the restart: run such tests where nothing else
/// runs at the same time (the cluster tests run in their own <c>dotnet test</c> after the others).
/// </summary>
public static class TestServers
{
    /// <summary>RabbitMQ's application stops (every connection drops), stays down <paramref name="down"/>, starts again.</summary>
    public static Task RestartRabbitMqAsync(TimeSpan down) => RunAsync("restart-rabbitmq", down);

    /// <summary>PostgreSQL stops fast (sessions cut), stays down <paramref name="down"/>, starts again on the same port.</summary>
    public static Task RestartPostgresAsync(TimeSpan down) => RunAsync("restart-postgres", down);

    private static async Task RunAsync(string command, TimeSpan down)
    {
        var start = new ProcessStartInfo("bash")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(Path.Combine(RepositoryRoot.Find(), "scripts", "test-servers.sh"));
        start.ArgumentList.Add(command);
        start.ArgumentList.Add(down.TotalSeconds.ToString("0.###", CultureInfo.InvariantCulture));
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(180));
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"scripts/test-servers.sh {command} exited {process.ExitCode}: {await output}{await error}");
        }
    }
}
