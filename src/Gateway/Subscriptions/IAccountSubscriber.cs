namespace AccountGrains.Gateway.Subscriptions;

/// <summary>Something that wants realtime account updates from the hub (one socket).</summary>
internal interface IAccountSubscriber
{
    /// <summary>
    /// A new state of <paramref name="pubkey"/>; <paramref name="message"/> is the ready-made realtime message,
    /// shared by every subscriber. Must not block.
    /// </summary>
    void OnAccountChanged(string pubkey, StreamToken token, ReadOnlyMemory<byte> message);
}
