namespace AccountGrains.Grains.Notifications;

/// <summary>
/// One notification on its way to one sink. The body is built once (it is what the signature covers and what a
/// dead letter keeps); <paramref name="DeliveryId"/> is sent as <c>X-AccountGrains-Delivery</c> on every attempt.
/// </summary>
/// <param name="Sink">Where it goes, with the secret that signs it.</param>
/// <param name="DeliveryId">Unique per notification and sink, the same across retries, so receivers can drop repeats.</param>
/// <param name="Wallet">The wallet the activity is of.</param>
/// <param name="Signature">The transaction.</param>
/// <param name="Body">The exact bytes to POST.</param>
/// <param name="QueuedAt">Timestamp (<see cref="TimeProvider.GetTimestamp"/>) of queueing, for the delivery latency.</param>
internal sealed record SinkNotification(NotificationSink Sink, string DeliveryId, string Wallet, string Signature, byte[] Body, long QueuedAt)
{
    public string Payload => System.Text.Encoding.UTF8.GetString(Body);
}
