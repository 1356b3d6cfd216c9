using System.Diagnostics.Metrics;

namespace AccountGrains.Runtime.Diagnostics;

/// <summary>The runtime's instruments, on the <c>AccountGrains.Runtime</c> meter.</summary>
public sealed class RuntimeMetrics : IDisposable
{
    public const string MeterName = "AccountGrains.Runtime";

    private readonly Meter _meter;
    private readonly Counter<long> _activationsCreated;
    private readonly Counter<long> _activationsCollected;
    private readonly Counter<long> _storageRowsWritten;
    private readonly Counter<long> _storageWriteFailures;
    private readonly Histogram<double> _storageBatchSeconds;
    private readonly Counter<long> _storageAbandoned;
    private Func<int>? _activationCount;
    private Func<int>? _writeBehindDepth;

    public RuntimeMetrics(IMeterFactory meterFactory)
    {
        ArgumentNullException.ThrowIfNull(meterFactory);
        _meter = meterFactory.Create(MeterName);
        _activationsCreated = _meter.CreateCounter<long>("accountgrains.activations.created", description: "Grain activations created");
        _activationsCollected = _meter.CreateCounter<long>("accountgrains.activations.collected", description: "Idle grain activations collected");
        _meter.CreateObservableGauge("accountgrains.activations.active", () => _activationCount?.Invoke() ?? 0, description: "Grain activations alive");
        _storageRowsWritten = _meter.CreateCounter<long>("accountgrains.storage.rows_written", description: "Account states written by the write-behind");
        _storageWriteFailures = _meter.CreateCounter<long>("accountgrains.storage.write_failures", description: "Write-behind batches that failed and were retried");
        _storageAbandoned = _meter.CreateCounter<long>("accountgrains.storage.abandoned", description: "Account states given up at shutdown because storage kept failing");
        _storageBatchSeconds = _meter.CreateHistogram<double>("accountgrains.storage.batch_duration", unit: "s", description: "Time to write one batch");
        _meter.CreateObservableGauge("accountgrains.storage.pending", () => _writeBehindDepth?.Invoke() ?? 0, description: "Account states waiting to be written");
    }

    internal void ObserveActivations(Func<int> count) => _activationCount = count;

    internal void ObserveWriteBehind(Func<int> depth) => _writeBehindDepth = depth;

    internal void ActivationCreated() => _activationsCreated.Add(1);

    internal void ActivationsCollected(int count) => _activationsCollected.Add(count);

    internal void BatchWritten(int rows, TimeSpan elapsed)
    {
        _storageRowsWritten.Add(rows);
        _storageBatchSeconds.Record(elapsed.TotalSeconds);
    }

    internal void BatchFailed() => _storageWriteFailures.Add(1);

    internal void StatesAbandoned(int count) => _storageAbandoned.Add(count);

    public void Dispose() => _meter.Dispose();
}
