namespace AccountGrains.Grains.Notifications;

/// <summary>
/// Waits between delivery attempts: exponential from <c>initial</c>, doubled per failed attempt, capped at
/// <c>max</c>, with "equal jitter" (a random point in the upper half) so sinks recovering from an outage are not hit
/// by every silo at once. A receiver's <c>Retry-After</c> is honoured as is, capped at <c>max</c> too.
/// </summary>
internal sealed class RetryBackoff(TimeSpan initial, TimeSpan max)
{
    /// <summary>The wait after <paramref name="failedAttempts"/> failures (1 for the first retry).</summary>
    public TimeSpan Next(int failedAttempts, TimeSpan? retryAfter)
    {
        if (retryAfter is { } asked)
        {
            return asked < max ? asked : max;
        }

        var exponent = Math.Min(failedAttempts - 1, 30);
        var ceiling = Math.Min(initial.Ticks * Math.Pow(2, exponent), max.Ticks);
        return TimeSpan.FromTicks((long)(ceiling / 2 * (1 + Random.Shared.NextDouble())));
    }
}
