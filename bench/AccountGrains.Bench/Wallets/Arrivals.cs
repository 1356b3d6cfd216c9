using System.Diagnostics;

namespace AccountGrains.Bench.Wallets;

/// <summary>
/// Counts what a round expects to arrive (stream events or webhook deliveries, one per activity entry) and, per
/// transaction, when its last one came. Called from stream handlers and the receiver's requests, so lock-free.
/// </summary>
internal sealed class Arrivals
{
    private readonly WalletWorkload _work;
    private readonly long[] _routedAt;
    private readonly int[] _due;
    private readonly long[] _completedAt;
    private readonly TaskCompletionSource _all = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _remaining;
    private long _finishedAt;

    /// <param name="work">The round's transactions.</param>
    /// <param name="routedAt">Per transaction, the timestamp its <c>RouteAsync</c> was called (filled in while routing).</param>
    public Arrivals(WalletWorkload work, long[] routedAt)
    {
        _work = work;
        _routedAt = routedAt;
        _due = [.. work.Transactions.Select(t => t.Entries)];
        _completedAt = new long[_due.Length];
        _remaining = work.Entries;
    }

    /// <summary>Timestamp of the last expected arrival (valid once <see cref="WaitAsync"/> returned).</summary>
    public long FinishedAt => Volatile.Read(ref _finishedAt);

    public void Arrive(string signature)
    {
        if (!_work.Index.TryGetValue(signature, out var i))
        {
            return;
        }

        var now = Stopwatch.GetTimestamp();
        if (Interlocked.Decrement(ref _due[i]) == 0)
        {
            _completedAt[i] = now;
        }

        if (Interlocked.Decrement(ref _remaining) == 0)
        {
            Volatile.Write(ref _finishedAt, now);
            _all.TrySetResult();
        }
    }

    /// <summary>Waits for every arrival; fails when none came for <paramref name="stall"/>, saying how many are missing.</summary>
    public async Task WaitAsync(string what, TimeSpan stall)
    {
        while (true)
        {
            var before = Volatile.Read(ref _remaining);
            if (await Task.WhenAny(_all.Task, Task.Delay(stall)) == _all.Task)
            {
                return;
            }

            var now = Volatile.Read(ref _remaining);
            if (now == before)
            {
                throw new TimeoutException(
                    $"{what}: {_work.Entries - now:N0} of {_work.Entries:N0} arrived and none in the last {stall.TotalSeconds:0} s");
            }
        }
    }

    /// <summary>Per transaction, from its <c>RouteAsync</c> call to its last arrival, sorted.</summary>
    public TimeSpan[] Latencies()
    {
        var latencies = _completedAt.Select((done, i) => Stopwatch.GetElapsedTime(_routedAt[i], done)).ToArray();
        Array.Sort(latencies);
        return latencies;
    }
}
