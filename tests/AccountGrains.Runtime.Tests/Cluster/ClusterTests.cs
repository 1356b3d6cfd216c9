using AccountGrains.Runtime.Cluster;

namespace AccountGrains.Runtime.Tests.Cluster;

/// <summary>Short durations for the cluster tests; every wait's timeout is a hang guard, not a timing assertion.</summary>
internal static class ClusterTests
{
    public static readonly TimeSpan LeaseDuration = TimeSpan.FromSeconds(3);

    public static ClusterOptions FastOptions(ClusterTestDatabase database, string name, int? port = null) => new()
    {
        ConnectionString = database.ConnectionString(port),
        MemberId = name,
        HeartbeatInterval = TimeSpan.FromMilliseconds(300),
        DeadAfter = TimeSpan.FromSeconds(2),
        LeaseDuration = LeaseDuration,
        RenewInterval = TimeSpan.FromMilliseconds(300),
        SafetyMargin = TimeSpan.FromSeconds(1),
    };

    public static async Task UntilAsync(Func<Task<bool>> condition, string because, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(30));
        while (!await condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException("condition not met in time: " + because);
            }

            await Task.Delay(50);
        }
    }

    public static Task UntilAsync(Func<bool> condition, string because, TimeSpan? timeout = null) =>
        UntilAsync(() => Task.FromResult(condition()), because, timeout);
}
