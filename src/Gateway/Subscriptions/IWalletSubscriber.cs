namespace AccountGrains.Gateway.Subscriptions;

/// <summary>Something that wants a wallet's realtime events from the hub (one socket).</summary>
internal interface IWalletSubscriber
{
    /// <summary>
    /// An event of <paramref name="address"/>: a <c>wallet_activity</c> push (<paramref name="isActivity"/>, never to
    /// be merged or dropped) or a <c>wallet_state</c> push (only the latest matters). <paramref name="sequence"/> grows
    /// per event; null for a state re-read after a broker reconnect, which carries no sequence of its own.
    /// <paramref name="message"/> is shared by every subscriber. Must not block.
    /// </summary>
    void OnWalletChanged(string address, long? sequence, bool isActivity, ReadOnlyMemory<byte> message);
}
