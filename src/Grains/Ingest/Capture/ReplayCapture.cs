using System.Diagnostics;
using System.Text.Json;

using AccountGrains.Grains.Ingest.Replay;

namespace AccountGrains.Grains.Ingest.Capture;

/// <summary>What a capture wrote.</summary>
public sealed record CaptureResult(long Updates, long Rejected, TimeSpan Elapsed, string StoppedBecause);

/// <summary>
/// Records a source into the replay format: every account update as one JSON line, in the order the source delivered
/// it, until a count, a duration or cancellation. The file replays with <c>AccountGrains:Ingest:Source</c> = replay.
/// </summary>
public static class ReplayCapture
{
    public static async Task<CaptureResult> RunAsync(
        IAccountUpdateSource source,
        Stream output,
        long? maxUpdates,
        TimeSpan? duration,
        Action<SourceRecordError> rejected,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(rejected);
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        if (duration is { } limit)
        {
            stop.CancelAfter(limit);
        }

        var watch = Stopwatch.StartNew();
        long written = 0;
        long refused = 0;
        var because = "the source ended";
        await using var json = new Utf8JsonWriter(output);
        try
        {
            await foreach (var update in source.ReadAsync(Reject, stop.Token).ConfigureAwait(false))
            {
                ReplayLineWriter.Write(json, update);
                await json.FlushAsync(CancellationToken.None).ConfigureAwait(false);
                json.Reset();
                output.WriteByte((byte)'\n');
                if (++written == maxUpdates)
                {
                    because = $"{written} updates captured";
                    break;
                }
            }
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
            because = cancellationToken.IsCancellationRequested ? "cancelled" : $"{duration} elapsed";
        }

        await output.FlushAsync(CancellationToken.None).ConfigureAwait(false);
        return new CaptureResult(written, refused, watch.Elapsed, because);

        void Reject(SourceRecordError error)
        {
            Interlocked.Increment(ref refused);
            rejected(error);
        }
    }
}
