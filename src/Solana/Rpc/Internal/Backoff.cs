namespace AccountGrains.Solana.Rpc.Internal;

/// <summary>Exponential backoff with jitter, and the server's Retry-After when it gave one.</summary>
internal static class Backoff
{
    /// <summary>
    /// The wait before retry number <paramref name="retry"/> (1-based): InitialBackoff x 2^(retry-1), capped at
    /// MaxBackoff, then jittered to between half and all of it so many clients that failed together do not retry
    /// together. A Retry-After from the server replaces it, capped at MaxRetryAfter.
    /// </summary>
    public static TimeSpan Delay(SolanaRpcOptions options, int retry, TimeSpan? retryAfter)
    {
        if (retryAfter is { } serverWait)
        {
            return serverWait < TimeSpan.Zero ? TimeSpan.Zero : serverWait > options.MaxRetryAfter ? options.MaxRetryAfter : serverWait;
        }

        double exponential = options.InitialBackoff.TotalMilliseconds * Math.Pow(2, Math.Min(retry - 1, 30));
        double capped = Math.Min(exponential, options.MaxBackoff.TotalMilliseconds);
        return TimeSpan.FromMilliseconds((capped / 2) + (Random.Shared.NextDouble() * capped / 2));
    }
}
