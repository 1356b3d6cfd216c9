namespace AccountGrains.Runtime.Tests.TestSupport;

/// <summary>
/// Waits for a condition the runtime makes true on its own thread after a signal the test can see (an activation
/// leaves the catalog just after its OnDeactivateAsync returns). The timeout is only a failure guard.
/// </summary>
internal static class Eventually
{
    public static async Task TrueAsync(Func<bool> condition, string because, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(10));
        while (!condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException("condition not met in time: " + because);
            }

            await Task.Delay(5);
        }
    }
}
