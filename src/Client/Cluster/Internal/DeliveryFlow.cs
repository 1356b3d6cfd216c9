namespace AccountGrains.Client.Cluster.Internal;

/// <summary>
/// What the subscriptions of the client share about their delivery loops: which subscription's handler runs on this
/// flow, and how a disposed subscription ends (listeners told, broker binding ended, the loop waited for unless the
/// dispose comes from inside a handler, which would wait for itself).
/// </summary>
internal static class DeliveryFlow
{
    private static readonly AsyncLocal<object?> Delivering = new();

    /// <summary>Marks this flow as the delivery loop of <paramref name="subscription"/>.</summary>
    public static void Enter(object subscription) => Delivering.Value = subscription;

    public static async ValueTask EndAsync<T>(T subscription, Action<T>? onDisposed, BrokerBinding binding, Task loop)
    {
        onDisposed?.Invoke(subscription);
        await binding.EndAsync().ConfigureAwait(false);
        if (Delivering.Value is null)
        {
            await loop.ConfigureAwait(false);
        }
    }
}
