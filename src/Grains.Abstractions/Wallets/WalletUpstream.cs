namespace AccountGrains;

/// <summary>
/// Whether the upstream feed that fills wallets in is up: the one rule behind <see cref="WalletStatus.Active"/> and
/// <see cref="WalletStatus.Disconnected"/>, so every reader of a wallet's status (gateway, REST, client) agrees.
/// A live source is up while <c>connected</c>; a replay file (<c>none</c>) while it is still being read.
/// </summary>
public static class WalletUpstream
{
    public static bool IsUp(IngestStatus status)
    {
        ArgumentNullException.ThrowIfNull(status);
        return status.Upstream == "connected" || (status.Upstream == "none" && status.Running);
    }

    /// <summary>The status of <paramref name="state"/> given the ingest's <paramref name="status"/>.</summary>
    public static WalletStatus StatusOf(WalletState state, IngestStatus status)
    {
        ArgumentNullException.ThrowIfNull(state);
        return state.StatusWith(IsUp(status));
    }
}
