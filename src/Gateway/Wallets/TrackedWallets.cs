namespace AccountGrains.Gateway.Wallets;

/// <summary>
/// The wallets being tracked: the wallet entries of the ingest's interest set, each with its grain's state (read a
/// few at a time), and whether the upstream is up, read once for all of them.
/// </summary>
internal sealed class TrackedWallets(IGrainFactory grains, UpstreamStatus upstream)
{
    /// <summary>Wallet grains read at once for a list.</summary>
    private const int ConcurrentReads = 16;

    public async Task<(IReadOnlyList<WalletState> Wallets, bool UpstreamUp)> ListAsync(CancellationToken cancellationToken)
    {
        var up = upstream.ReadAsync(cancellationToken);
        var interest = await grains.Get<IGeyserIngestGrain>(IGeyserIngestGrain.DefaultKey).GetInterestAsync().WaitAsync(cancellationToken).ConfigureAwait(false);
        var addresses = interest.Where(i => i.Kind == InterestKind.Wallet).Select(i => i.Key).ToArray();
        var states = new WalletState[addresses.Length];
        await Parallel.ForEachAsync(
            Enumerable.Range(0, addresses.Length),
            new ParallelOptions { MaxDegreeOfParallelism = ConcurrentReads, CancellationToken = cancellationToken },
            async (i, token) => states[i] = await grains.Get<IWalletGrain>(addresses[i]).GetAsync().WaitAsync(token).ConfigureAwait(false)).ConfigureAwait(false);
        return (states, await up.ConfigureAwait(false));
    }
}
