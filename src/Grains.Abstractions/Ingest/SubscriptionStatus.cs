namespace AccountGrains;

/// <summary>
/// One upstream subscription and how it fares. With RPC websockets an account or program interest has one and a
/// wallet four (its account, its SPL Token and Token-2022 accounts, its logs); with Yellowstone every interest entry
/// is a filter of the one stream and shares its state.
/// </summary>
/// <param name="InterestId">The interest it serves (<see cref="Interest.Id"/>).</param>
/// <param name="Kind"><c>account</c>, <c>program</c>, <c>logs</c> (RPC) or <c>wallet</c> (Yellowstone).</param>
/// <param name="Target">The account, program or mentioned address subscribed to.</param>
/// <param name="State">One of <see cref="SubscriptionStates"/>.</param>
/// <param name="Connection">Index of the websocket carrying it (0-based); null when it did not fit the budget.</param>
/// <param name="Error">Why it failed; null unless <paramref name="State"/> is <c>failed</c>.</param>
public sealed record SubscriptionStatus(string InterestId, string Kind, string Target, string State, int? Connection, string? Error);

/// <summary>The states of a <see cref="SubscriptionStatus"/>.</summary>
public static class SubscriptionStates
{
    /// <summary>The node confirmed it; notifications flow.</summary>
    public const string Active = "active";

    /// <summary>Waiting for its connection to open or the node to answer.</summary>
    public const string Pending = "pending";

    /// <summary>Its connection was lost; it is resubscribed once the connection is back.</summary>
    public const string Disconnected = "disconnected";

    /// <summary>Refused by the node, or over the connection budget: see the error.</summary>
    public const string Failed = "failed";
}
