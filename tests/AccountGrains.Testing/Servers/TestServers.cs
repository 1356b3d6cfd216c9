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
    public static Task RestartRabbitMqAsync(TimeSpan down) => RunAsync("restart-rabbitmq", Seconds(down));

    /// <summary>PostgreSQL stops fast (sessions cut), stays down <paramref name="down"/>, starts again on the same port.</summary>
    public static Task RestartPostgresAsync(TimeSpan down) => RunAsync("restart-postgres", Seconds(down));

    /// <summary><c>rabbitmqctl</c> against the throwaway node (e.g. <c>stop_app</c>, <c>start_app</c>).</summary>
    public static Task RabbitMqCtlAsync(params string[] arguments) => RunAsync(["rabbitmqctl", .. arguments]);

    private static string Seconds(TimeSpan down) => down.TotalSeconds.ToString("0.###", CultureInfo.InvariantCulture);

    /// <summary>Runs <c>scripts/test-servers.sh</c> with <paramref name="arguments"/>; throws with its output when it fails.</summary>
    public static async Task RunAsync(params string[] arguments)
    {
        var start = new ProcessStartInfo("bash")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(Path.Combine(RepositoryRoot.Find(), "scripts", "test-servers.sh"));
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(180));
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"scripts/test-servers.sh {string.Join(' ', arguments)} exited {process.ExitCode}: {await output}{await error}");
        }
    }
}
