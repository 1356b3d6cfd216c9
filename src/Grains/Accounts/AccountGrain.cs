using AccountGrains.Grains.Diagnostics;
using AccountGrains.Grains.Rpc;
using AccountGrains.Runtime.Catalog;
using AccountGrains.Runtime.Storage;
using AccountGrains.Solana;

namespace AccountGrains.Grains.Accounts;

/// <summary>
/// One Solana account: holds the latest decoded state, applies an update only when its <c>(slot, write_version)</c>
/// is newer, queues the new state for storage (write-behind) and publishes it on <c>account.&lt;pubkey&gt;</c> and
/// <c>program.&lt;owner&gt;</c>. A closed account (lamports 0) is just another state. Read before anything was
/// written or stored, it hydrates from Solana RPC when an endpoint is configured (batched with other grains): an update
/// arriving first makes that unnecessary, as every update carries the whole account.
/// </summary>
internal sealed class AccountGrain(
    IAccountStore store,
    AccountWriteBehind writeBehind,
    IStreamProvider streams,
    AccountDecoding decoding,
    IGrainFactory grains,
    IAccountHydrator hydrator,
    TimeProvider time,
    GrainMetrics metrics) : Grain, IAccountGrain
{
    // After RPC had nothing (or failed), a read does not ask again before this.
    private static readonly TimeSpan HydrationRetryAfter = TimeSpan.FromSeconds(30);

    // Longest a read waits for RPC before answering without state (the RPC client's own retries can take minutes).
    private static readonly TimeSpan HydrationWait = TimeSpan.FromSeconds(5);

    // A mint asked for and not known anywhere is not asked again for this long (per account).
    private static readonly TimeSpan UnknownMintBackoff = TimeSpan.FromMinutes(1);

    // Bounds the wait on a mint's grain: a backlog must never turn the call into a deadlock between partitions.
    private static readonly TimeSpan MintLookupTimeout = TimeSpan.FromSeconds(2);

    private readonly Dictionary<string, long> _unknownMints = new(StringComparer.Ordinal);
    private AccountState? _state;
    private bool _servedFromStorage;
    private Task _stored = Task.CompletedTask;
    private long _hydrateAfter;

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        _state = await store.ReadAsync(Key, cancellationToken).ConfigureAwait(false);
        if (_state is { Decoded.AccountType: DecodedAccount.UnknownType })
        {
            // Decoders may have been added since this state was stored.
            _state = _state with { Decoded = decoding.Decode(_state.Pubkey, _state.Owner, _state.Data) };
        }

        _servedFromStorage = _state is not null;
    }

    public override Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken) => _stored;

    public Task ApplyAsync(AccountUpdate update) => ApplyAndReportAsync(update);

    public async Task<ApplyOutcome> ApplyAndReportAsync(AccountUpdate update)
    {
        ArgumentNullException.ThrowIfNull(update);
        if (!string.Equals(update.Pubkey, Key, StringComparison.Ordinal))
        {
            throw new ArgumentException($"update for {update.Pubkey} was sent to account grain {Key}", nameof(update));
        }

        if (_state is not null)
        {
            var order = update.Token.CompareTo(_state.Token);
            if (order <= 0)
            {
                var outcome = order == 0 ? ApplyOutcome.Duplicate : ApplyOutcome.Stale;
                metrics.UpdateDropped(outcome);
                return outcome;
            }
        }

        var state = new AccountState(
            update.Pubkey,
            update.Owner,
            update.Lamports,
            update.Data,
            update.Executable,
            update.RentEpoch,
            update.Slot,
            update.WriteVersion,
            update.TxnSignature,
            await DecodeAsync(update).ConfigureAwait(false),
            update.ReceivedAt);
        _state = state;
        _servedFromStorage = false;
        _stored = writeBehind.Enqueue(state);
        metrics.UpdateApplied(state.Decoded);

        var change = new AccountChanged(state);
        await streams.PublishAsync(StreamId.ForAccount(Key), change).ConfigureAwait(false);
        await streams.PublishAsync(StreamId.ForProgram(state.Owner), change).ConfigureAwait(false);
        return ApplyOutcome.Applied;
    }

    /// <summary>
    /// Decodes the update. When the decoder wanted decimals of mints this silo has not seen (a pool whose mints are
    /// not in the feed, or not processed yet), asks those mints' grains: the call queues behind any update already
    /// sent to them, so their answer reflects the feed up to this update. Then decodes once more.
    /// </summary>
    private async Task<DecodedAccount> DecodeAsync(AccountUpdate update)
    {
        // A decoder may stop at its first missing mint (a pool asks for B only once A is known): repeat while
        // lookups find new mints, a few rounds at most.
        const int maxRounds = 4;
        var decoded = decoding.Decode(update.Pubkey, update.Owner, update.Data, out var missing);
        for (var round = 1; round < maxRounds && missing.Length > 0; round++)
        {
            if (!await FindMintsAsync(missing).ConfigureAwait(false))
            {
                break;
            }

            decoded = decoding.Decode(update.Pubkey, update.Owner, update.Data, out missing);
        }

        return decoded;
    }

    /// <summary>Asks the grains of <paramref name="missing"/> mints for their state; true when any was a mint.</summary>
    private async Task<bool> FindMintsAsync(Pubkey[] missing)
    {
        var now = Environment.TickCount64;
        var found = false;
        foreach (var mint in missing.Select(m => m.ToString()))
        {
            if (mint == Key || (_unknownMints.TryGetValue(mint, out var retryAt) && now < retryAt))
            {
                continue;
            }

            AccountSnapshot? snapshot;
            try
            {
                snapshot = await grains.Get<IAccountGrain>(mint).GetSnapshotAsync().WaitAsync(MintLookupTimeout).ConfigureAwait(false);
            }
            catch (Exception e) when (e is TimeoutException or InvalidOperationException)
            {
                // Decimals are a refinement: a mint that cannot answer (busy, or its partition already closed while
                // the silo stops) must never cost this update. It is decoded without them and applied.
                snapshot = null;
            }

            if (snapshot?.State is { } state && decoding.RecordMint(state))
            {
                found = true;
                _unknownMints.Remove(mint);
            }
            else
            {
                _unknownMints[mint] = now + (long)UnknownMintBackoff.TotalMilliseconds;
            }
        }

        return found;
    }

    public async Task<AccountSnapshot> GetSnapshotAsync()
    {
        if (_state is null && time.GetTimestamp() >= _hydrateAfter)
        {
            _hydrateAfter = time.GetTimestamp() + (long)(HydrationRetryAfter.TotalSeconds * time.TimestampFrequency);
            AccountUpdate? update;
            try
            {
                // Bounded: this turn holds the grain's mailbox, and behind it its partition and the ingest.
                update = await hydrator.HydrateAsync(Key).WaitAsync(HydrationWait).ConfigureAwait(false);
            }
            catch (TimeoutException)
            {
                update = null;
            }

            if (update is not null)
            {
                await ApplyAndReportAsync(update).ConfigureAwait(false);
            }
        }

        var source = _servedFromStorage ? SnapshotSource.Database : SnapshotSource.Cache;
        _servedFromStorage = false;
        return new AccountSnapshot(Key, _state, source);
    }
}
