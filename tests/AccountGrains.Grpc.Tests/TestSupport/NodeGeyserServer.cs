using System.ComponentModel;
using System.Diagnostics;
using System.Text;
using System.Text.Json;

namespace AccountGrains.Grpc.Tests.TestSupport;

/// <summary>
/// Runs node/geyser-server.mjs (a Geyser server on the official @grpc/grpc-js) for one test class, and kills it after.
/// </summary>
public sealed class NodeGeyserServer : IAsyncLifetime
{
    private const string NpmHint = "run npm ci in tests/AccountGrains.Grpc.Tests/node (./test.sh does this)";
    private readonly StringBuilder _stderr = new();
    private Process? _process;

    public Uri Address { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        string folder = Path.Combine(RepositoryRoot.Find(), "tests", "AccountGrains.Grpc.Tests", "node");
        foreach (string package in new[] { "@grpc/grpc-js", "@grpc/proto-loader" })
        {
            if (!Directory.Exists(Path.Combine(folder, "node_modules", package)))
            {
                Assert.Fail($"{folder}/node_modules has no {package}: {NpmHint}");
            }
        }

        var start = new ProcessStartInfo("node")
        {
            WorkingDirectory = folder,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add("geyser-server.mjs");
        try
        {
            _process = Process.Start(start) ?? throw new InvalidOperationException("Process.Start returned null for node");
        }
        catch (Win32Exception ex)
        {
            throw new InvalidOperationException($"could not start node ({ex.Message}); install Node 20+ and put it on PATH", ex);
        }

        _process.ErrorDataReceived += (_, e) =>
        {
            lock (_stderr)
            {
                _stderr.AppendLine(e.Data);
            }
        };
        _process.BeginErrorReadLine();

        string? line;
        try
        {
            line = await _process.StandardOutput.ReadLineAsync().WaitAsync(TimeSpan.FromSeconds(30));
        }
        catch (TimeoutException)
        {
            line = null;
        }

        if (line is null)
        {
            Kill();
            string errors;
            lock (_stderr)
            {
                errors = _stderr.ToString();
            }

            Assert.Fail($"node geyser-server.mjs printed no port: {errors}\n{NpmHint} if a module is missing");
        }

        int port = JsonDocument.Parse(line).RootElement.GetProperty("port").GetInt32();
        Address = new Uri($"http://127.0.0.1:{port}");
    }

    public Task DisposeAsync()
    {
        Kill();
        return Task.CompletedTask;
    }

    private void Kill()
    {
        if (_process is null)
        {
            return;
        }

        try
        {
            _process.Kill(entireProcessTree: true);
            _process.WaitForExit(5000);
        }
        catch (InvalidOperationException)
        {
            // Already gone.
        }

        _process.Dispose();
        _process = null;
    }
}
