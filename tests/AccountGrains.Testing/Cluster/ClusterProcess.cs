using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text;

namespace AccountGrains.Testing.Cluster;

/// <summary>
/// One silo or gateway of a <see cref="TestCluster"/>: a real OS process (<c>dotnet AccountGrains.&lt;Host&gt;.dll</c>)
/// in a working directory of its own. stdout (one JSON object per line) goes to <see cref="LogPath"/> and is parsed
/// into <see cref="Logs"/> and <see cref="PartitionEvents"/> as it arrives; stderr goes to <see cref="ErrorLogPath"/>.
/// <see cref="KillAsync"/> is a crash (SIGKILL: no shutdown code runs, leases and rows stay until they expire);
/// <see cref="StopAsync"/> is an orderly shutdown (SIGTERM, as <c>docker stop</c> sends).
/// </summary>
public abstract class ClusterProcess : IAsyncDisposable
{
    /// <summary>Most parsed entries kept in memory per process; the log file keeps everything.</summary>
    public const int MaxEntriesKept = 200_000;

    private static readonly ConcurrentDictionary<Process, byte> Running = new();
    private readonly Process _process;
    private readonly StreamWriter _log;
    private readonly StreamWriter _errors;
    private readonly object _gate = new();
    private readonly List<HostLogEntry> _entries = [];
    private readonly List<PartitionEvent> _partitionEvents = [];
    private readonly ConcurrentQueue<string> _errorTail = new();
    private readonly TaskCompletionSource _exited = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _lines;

    static ClusterProcess()
    {
        // A test run that ends (or crashes) with processes still up must not leave them behind.
        AppDomain.CurrentDomain.ProcessExit += (_, _) =>
        {
            foreach (var process in Running.Keys)
            {
                try
                {
                    process.Kill();
                }
                catch (InvalidOperationException)
                {
                }
            }
        };
    }

    private protected ClusterProcess(ClusterHostKind kind, string memberId, string workingDirectory, ProcessStartInfo start)
    {
        Kind = kind;
        MemberId = memberId;
        WorkingDirectory = workingDirectory;
        LogPath = Path.Combine(workingDirectory, memberId + ".log");
        ErrorLogPath = Path.Combine(workingDirectory, memberId + ".err.log");
        _log = new StreamWriter(LogPath, append: false, new UTF8Encoding(false)) { AutoFlush = true };
        _errors = new StreamWriter(ErrorLogPath, append: false, new UTF8Encoding(false)) { AutoFlush = true };
        CommandLine = $"{start.FileName} {string.Join(' ', start.ArgumentList)}";
        _process = new Process { StartInfo = start, EnableRaisingEvents = true };
        _process.OutputDataReceived += (_, e) => OnOutput(e.Data);
        _process.ErrorDataReceived += (_, e) => OnError(e.Data);
        _process.Exited += (_, _) => OnExited();
        StartedAt = DateTimeOffset.UtcNow;
        _process.Start();
        Running[_process] = 0;
        ProcessId = _process.Id;
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
    }

    public ClusterHostKind Kind { get; }

    /// <summary><c>AccountGrains:Cluster:MemberId</c> of the process: silo-1, gateway-2, ...</summary>
    public string MemberId { get; }

    public int ProcessId { get; }

    public string WorkingDirectory { get; }

    public string CommandLine { get; }

    /// <summary>stdout: the JSON console log, one object per line.</summary>
    public string LogPath { get; }

    /// <summary>stderr: crash traces and anything written around the logger.</summary>
    public string ErrorLogPath { get; }

    public DateTimeOffset StartedAt { get; }

    /// <summary>When the harness saw the process ready (a silo's active membership row, a gateway's answer on /healthz).</summary>
    public DateTimeOffset? ReadyAt { get; internal set; }

    /// <summary>When <see cref="KillAsync"/> sent SIGKILL: from here on the process owns nothing.</summary>
    public DateTimeOffset? KilledAt { get; private set; }

    /// <summary>When <see cref="StopAsync"/> sent SIGTERM.</summary>
    public DateTimeOffset? StopRequestedAt { get; private set; }

    public DateTimeOffset? ExitedAt { get; private set; }

    public int? ExitCode => _process.HasExited ? _process.ExitCode : null;

    /// <summary>Running and not asked to stop: what counts as a live member for ownership checks.</summary>
    public bool IsRunning => !_exited.Task.IsCompleted && KilledAt is null && StopRequestedAt is null;

    public bool HasExited => _exited.Task.IsCompleted;

    /// <summary>Completes when the process has exited and its output has been read to the end.</summary>
    public Task Exited => _exited.Task;

    /// <summary>The end of this process's life as far as ownership goes: killed, or exited.</summary>
    public DateTimeOffset? EndOfLife => KilledAt ?? ExitedAt;

    public IReadOnlyList<HostLogEntry> Logs
    {
        get
        {
            lock (_gate)
            {
                return [.. _entries];
            }
        }
    }

    public IReadOnlyList<PartitionEvent> PartitionEvents
    {
        get
        {
            lock (_gate)
            {
                return [.. _partitionEvents];
            }
        }
    }

    /// <summary>Lines read from stdout so far (JSON or not).</summary>
    public int LineCount => Volatile.Read(ref _lines);

    /// <summary>Crash: SIGKILL, then waits until the process is gone. Nothing of its shutdown runs.</summary>
    public async Task KillAsync()
    {
        if (!HasExited)
        {
            KilledAt ??= DateTimeOffset.UtcNow;
            try
            {
                _process.Kill();
            }
            catch (InvalidOperationException)
            {
                // exited on its own just now
            }
        }

        await WaitForExitAsync(TimeSpan.FromSeconds(30)).ConfigureAwait(false);
    }

    /// <summary>
    /// Graceful stop: SIGTERM, then waits for the exit; returns the exit code (0 after a clean shutdown). Past
    /// <paramref name="timeout"/> the process is killed and a <see cref="TimeoutException"/> says so.
    /// </summary>
    public async Task<int> StopAsync(TimeSpan? timeout = null)
    {
        if (!HasExited)
        {
            StopRequestedAt ??= DateTimeOffset.UtcNow;
            PosixSignals.Terminate(ProcessId);
            var limit = timeout ?? TimeSpan.FromSeconds(30);
            try
            {
                await _exited.Task.WaitAsync(limit).ConfigureAwait(false);
            }
            catch (TimeoutException)
            {
                await KillAsync().ConfigureAwait(false);
                throw new TimeoutException($"{MemberId} did not stop within {limit.TotalSeconds:F0} s of SIGTERM and was killed.\n{Tail()}");
            }
        }

        await _exited.Task.ConfigureAwait(false);
        return _process.ExitCode;
    }

    /// <summary>Stops gracefully and throws unless the exit code is 0.</summary>
    public async Task StopCleanlyAsync(TimeSpan? timeout = null)
    {
        var code = await StopAsync(timeout).ConfigureAwait(false);
        if (code != 0)
        {
            throw new InvalidOperationException($"{MemberId} exited with {code} after SIGTERM, not 0.\n{Tail()}");
        }
    }

    public async Task WaitForExitAsync(TimeSpan timeout)
    {
        await _exited.Task.WaitAsync(timeout).ConfigureAwait(false);
    }

    /// <summary>The first log entry (already logged or still to come) that matches; a <see cref="TimeoutException"/> naming <paramref name="what"/> otherwise.</summary>
    public async Task<HostLogEntry> WaitForLogAsync(Func<HostLogEntry, bool> match, TimeSpan timeout, string what)
    {
        ArgumentNullException.ThrowIfNull(match);
        var deadline = DateTime.UtcNow + timeout;
        var seen = 0;
        while (true)
        {
            lock (_gate)
            {
                for (; seen < _entries.Count; seen++)
                {
                    if (match(_entries[seen]))
                    {
                        return _entries[seen];
                    }
                }
            }

            if (HasExited && seen >= Logs.Count)
            {
                throw new InvalidOperationException($"{MemberId} exited ({ExitCode}) before it logged {what}.\n{Tail()}");
            }

            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"{MemberId} did not log {what} within {timeout.TotalSeconds:F0} s.\n{Tail()}");
            }

            await Task.Delay(20).ConfigureAwait(false);
        }
    }

    /// <summary>The last lines of stdout (as written, JSON) and stderr, for a failure message.</summary>
    public string Tail(int lines = 30)
    {
        var text = new StringBuilder();
        text.Append(CultureInfoInvariant($"--- {MemberId} (pid {ProcessId}, {State}) {LogPath}\n"));
        foreach (var line in ReadLastLines(LogPath, lines))
        {
            text.Append(line).Append('\n');
        }

        var errors = _errorTail.ToArray();
        if (errors.Length > 0)
        {
            text.Append(CultureInfoInvariant($"--- {MemberId} stderr {ErrorLogPath}\n"));
            foreach (var line in errors.TakeLast(lines))
            {
                text.Append(line).Append('\n');
            }
        }

        return text.ToString();
    }

    /// <summary>Running, stopping, killed or exited, with the exit code.</summary>
    public string State =>
        HasExited
            ? KilledAt is not null ? $"killed, exit {ExitCode}" : $"exited {ExitCode}"
            : StopRequestedAt is not null ? "stopping" : "running";

    public override string ToString() => $"{MemberId} (pid {ProcessId}, {State})";

    public async ValueTask DisposeAsync()
    {
        if (!HasExited)
        {
            await KillAsync().ConfigureAwait(false);
        }

        await _exited.Task.ConfigureAwait(false);
        _process.Dispose();
        GC.SuppressFinalize(this);
    }

    private void OnOutput(string? line)
    {
        if (line is null)
        {
            return;
        }

        Interlocked.Increment(ref _lines);
        var entry = HostLogEntry.TryParse(MemberId, line);
        lock (_gate)
        {
            _log.WriteLine(line);
            if (entry is null || _entries.Count >= MaxEntriesKept)
            {
                return;
            }

            _entries.Add(entry);
            if (PartitionEvent.From(entry) is { } partitionEvent)
            {
                _partitionEvents.Add(partitionEvent);
            }
        }
    }

    private void OnError(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_gate)
        {
            _errors.WriteLine(line);
        }

        _errorTail.Enqueue(line);
        while (_errorTail.Count > 200 && _errorTail.TryDequeue(out _))
        {
        }
    }

    private void OnExited()
    {
        // Exited fires when the process is gone; WaitForExit() then waits for the redirected streams to reach EOF,
        // so everything it wrote is in Logs before Exited completes.
        _ = Task.Run(() =>
        {
            _process.WaitForExit();
            ExitedAt ??= DateTimeOffset.UtcNow;
            Running.TryRemove(_process, out _);
            lock (_gate)
            {
                _log.Dispose();
                _errors.Dispose();
            }

            _exited.TrySetResult();
        });
    }

    private static IEnumerable<string> ReadLastLines(string path, int count)
    {
        try
        {
            using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
            using var reader = new StreamReader(stream);
            var tail = new Queue<string>();
            while (reader.ReadLine() is { } line)
            {
                tail.Enqueue(line);
                if (tail.Count > count)
                {
                    tail.Dequeue();
                }
            }

            return tail;
        }
        catch (IOException)
        {
            return [];
        }
    }

    private static string CultureInfoInvariant(FormattableString text) => FormattableString.Invariant(text);
}

/// <summary>A silo process: grains, partitions, and the ingest when it owns the ingest grain's partition.</summary>
public sealed class SiloProcess : ClusterProcess
{
    internal SiloProcess(string memberId, string workingDirectory, ProcessStartInfo start)
        : base(ClusterHostKind.Silo, memberId, workingDirectory, start)
    {
    }

    /// <summary>When this silo last logged that its ingest started reading (event 2001), or null.</summary>
    public DateTimeOffset? IngestStartedAt => Logs.LastOrDefault(e => e.EventId == HostEventIds.IngestReading)?.Timestamp;

    /// <summary>The partitions this silo holds now according to its own log (acquired and not lost since).</summary>
    public IReadOnlyDictionary<int, long> OwnedPartitions
    {
        get
        {
            var owned = new Dictionary<int, long>();
            foreach (var e in PartitionEvents)
            {
                if (e.Kind == PartitionEventKind.Acquired)
                {
                    owned[e.Partition] = e.Epoch;
                }
                else if (e.Kind == PartitionEventKind.Lost && owned.TryGetValue(e.Partition, out var epoch) && epoch == e.Epoch)
                {
                    owned.Remove(e.Partition);
                }
            }

            return owned;
        }
    }
}

/// <summary>A gateway process: /ws, /v1, /healthz on <see cref="Address"/>.</summary>
public sealed class GatewayProcess : ClusterProcess
{
    internal GatewayProcess(string memberId, string workingDirectory, ProcessStartInfo start, int port)
        : base(ClusterHostKind.Gateway, memberId, workingDirectory, start)
    {
        Port = port;
        Address = new Uri(FormattableString.Invariant($"http://127.0.0.1:{port}/"));
    }

    public int Port { get; }

    /// <summary><c>http://127.0.0.1:&lt;port&gt;/</c>.</summary>
    public Uri Address { get; }

    /// <summary><c>ws://127.0.0.1:&lt;port&gt;/ws</c>, the native protocol.</summary>
    public Uri WebSocketAddress => new(FormattableString.Invariant($"ws://127.0.0.1:{Port}/ws"));
}
