using System.Buffers;
using System.IO.Pipelines;
using System.Runtime.CompilerServices;
using AccountGrains.Grains.Hosting;
using Microsoft.Extensions.Options;

namespace AccountGrains.Grains.Ingest.Replay;

/// <summary>
/// Replays a JSON Lines file of account updates at <see cref="ReplayOptions.UpdatesPerSecond"/> (or as fast as the
/// grains take them), optionally looping. Bad lines are reported with their line number and skipped.
/// </summary>
public sealed class ReplayFileSource(IOptions<ReplayOptions> options, TimeProvider time) : IAccountUpdateSource
{
    private const int MaxLineBytes = 16 * 1024 * 1024;
    private readonly ReplayOptions _options = options.Value;

    public string Kind => "replay";

    public string Describe => $"replay:{ConfiguredPath.Resolve(_options.Path)}" + (_options.Loop ? " (looping)" : string.Empty)
        + (_options.UpdatesPerSecond > 0 ? $" at {_options.UpdatesPerSecond}/s" : " as fast as possible");

    public async IAsyncEnumerable<AccountUpdate> ReadAsync(
        Action<SourceRecordError> rejected, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(rejected);
        var path = ConfiguredPath.Resolve(_options.Path);
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"replay file '{path}' does not exist; set AccountGrains:Ingest:Replay:Path", path);
        }

        var pace = new Pace(_options.UpdatesPerSecond, time);
        ulong slotShift = 0, versionShift = 0;
        for (var pass = 0; ; pass++)
        {
            ulong minSlot = ulong.MaxValue, maxSlot = 0, maxVersion = 0;
            var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite, 64 * 1024, useAsync: true);
            await using (stream.ConfigureAwait(false))
            {
                var reader = PipeReader.Create(stream);
                var lineNumber = 0;
                while (true)
                {
                    var read = await reader.ReadAsync(cancellationToken).ConfigureAwait(false);
                    var buffer = read.Buffer;
                    while (TryTakeLine(ref buffer, read.IsCompleted, out var line))
                    {
                        lineNumber++;
                        var bytes = line.IsSingleSegment ? line.FirstSpan : line.ToArray();
                        if (IsBlank(bytes))
                        {
                            continue;
                        }

                        if (bytes.Length > MaxLineBytes)
                        {
                            rejected(new SourceRecordError($"{path}:{lineNumber}", "line is longer than 16 MiB"));
                            continue;
                        }

                        if (!ReplayLineParser.TryParse(bytes, time.GetUtcNow(), out var update, out var error))
                        {
                            rejected(new SourceRecordError($"{path}:{lineNumber}", error!));
                            continue;
                        }

                        minSlot = Math.Min(minSlot, update!.Slot);
                        maxSlot = Math.Max(maxSlot, update.Slot);
                        maxVersion = Math.Max(maxVersion, update.WriteVersion);
                        if (pass > 0)
                        {
                            update = update with { Slot = update.Slot + slotShift, WriteVersion = update.WriteVersion + versionShift };
                        }

                        await pace.WaitTurnAsync(cancellationToken).ConfigureAwait(false);
                        yield return update;
                    }

                    reader.AdvanceTo(buffer.Start, buffer.End);
                    if (read.IsCompleted)
                    {
                        break;
                    }
                }

                await reader.CompleteAsync().ConfigureAwait(false);
            }

            if (!_options.Loop || minSlot == ulong.MaxValue)
            {
                yield break;
            }

            // The next pass must be newer than everything this pass produced.
            slotShift += maxSlot - minSlot + 1;
            versionShift += maxVersion + 1;
        }
    }

    private static bool TryTakeLine(ref ReadOnlySequence<byte> buffer, bool completed, out ReadOnlySequence<byte> line)
    {
        var newline = buffer.PositionOf((byte)'\n');
        if (newline is { } end)
        {
            line = buffer.Slice(0, end);
            buffer = buffer.Slice(buffer.GetPosition(1, end));
            return true;
        }

        if (completed && !buffer.IsEmpty)
        {
            line = buffer;
            buffer = buffer.Slice(buffer.End);
            return true;
        }

        line = default;
        return false;
    }

    private static bool IsBlank(ReadOnlySpan<byte> line) => line.Trim(" \t\r"u8).IsEmpty;

    /// <summary>Spaces updates evenly at a rate, catching up after a stall rather than bursting forever.</summary>
    private sealed class Pace(double perSecond, TimeProvider time)
    {
        private readonly long _start = time.GetTimestamp();
        private long _count;

        public async ValueTask WaitTurnAsync(CancellationToken cancellationToken)
        {
            if (perSecond <= 0)
            {
                return;
            }

            var due = TimeSpan.FromSeconds(_count++ / perSecond);
            var elapsed = time.GetElapsedTime(_start);
            if (due > elapsed)
            {
                await Task.Delay(due - elapsed, time, cancellationToken).ConfigureAwait(false);
            }
        }
    }
}
