using AccountGrains.Grains.Diagnostics;
using AccountGrains.Runtime.Catalog;
using AccountGrains.Runtime.Storage;

namespace AccountGrains.Grains.Accounts;

/// <summary>
/// One Solana account: holds the latest decoded state, applies an update only when its <c>(slot, write_version)</c>
/// is newer, queues the new state for storage (write-behind) and publishes it on <c>account.&lt;pubkey&gt;</c> and
/// <c>program.&lt;owner&gt;</c>. A closed account (lamports 0) is just another state.
/// </summary>
internal sealed class AccountGrain(
    IAccountStore store,
    AccountWriteBehind writeBehind,
    IStreamProvider streams,
    AccountDecoding decoding,
    GrainMetrics metrics) : Grain, IAccountGrain
{
    private AccountState? _state;
    private bool _servedFromStorage;
    private Task _stored = Task.CompletedTask;

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

    public async Task ApplyAsync(AccountUpdate update) => await ApplyAndReportAsync(update).ConfigureAwait(false);

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
            decoding.Decode(update.Pubkey, update.Owner, update.Data),
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

    public Task<AccountSnapshot> GetSnapshotAsync()
    {
        var source = _servedFromStorage ? SnapshotSource.Database : SnapshotSource.Cache;
        _servedFromStorage = false;
        return Task.FromResult(new AccountSnapshot(Key, _state, source));
    }
}
