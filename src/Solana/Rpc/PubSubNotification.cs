namespace AccountGrains.Solana.Rpc;

/// <summary>The kinds of PubSub subscription; <see cref="SolanaPubSubClient.UnsubscribeAsync"/> needs it to pick the method.</summary>
public enum PubSubKind
{
    Account,
    Program,
    Logs,
    Slot,
}

/// <summary>A message the node pushed for one subscription.</summary>
public abstract record PubSubNotification(ulong SubscriptionId, ulong Slot);

/// <summary>accountNotification: the subscribed account's new state.</summary>
public sealed record AccountNotification(ulong SubscriptionId, ulong Slot, RpcAccount Account) : PubSubNotification(SubscriptionId, Slot);

/// <summary>programNotification: an account owned by the program (and passing the filters) changed.</summary>
public sealed record ProgramNotification(ulong SubscriptionId, ulong Slot, RpcKeyedAccount Account) : PubSubNotification(SubscriptionId, Slot);

/// <summary>logsNotification: a transaction mentioning the address; <paramref name="Error"/> is the raw JSON of err, or null on success.</summary>
public sealed record LogsNotification(ulong SubscriptionId, ulong Slot, string Signature, string? Error, IReadOnlyList<string> Logs)
    : PubSubNotification(SubscriptionId, Slot);

/// <summary>slotNotification: the node processed <paramref name="Slot"/>.</summary>
public sealed record SlotNotification(ulong SubscriptionId, ulong Slot, ulong Parent, ulong Root) : PubSubNotification(SubscriptionId, Slot);
