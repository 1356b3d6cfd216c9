using System.Collections.Concurrent;
using AccountGrains.Gateway.Diagnostics;
using AccountGrains.Gateway.Subscriptions;
using AccountGrains.Gateway.Wallets;

namespace AccountGrains.Gateway.Native;

/// <summary>
/// The wallet actions of a socket: track, untrack, list, subscribe_wallet, unsubscribe_wallet, and the wallet pushes.
/// As for accounts, the socket attaches to the wallet's stream before it calls the grain and holds what arrives
/// until the reply is queued. Activity pushes are never merged or dropped by the send queue (past its hard limit the
/// socket is closed, as for any message); state pushes conflate per wallet behind the wallet's last activity.
/// </summary>
internal sealed partial class NativeConnection : IWalletSubscriber
{
    /// <summary>The tracker name of a track or untrack over the socket that names none.</summary>
    public const string DefaultTracker = "ws";

    private readonly ConcurrentDictionary<string, WalletFollow> _wallets = new(StringComparer.Ordinal);

    public void OnWalletChanged(string address, long? sequence, bool isActivity, ReadOnlyMemory<byte> message)
    {
        if (!_wallets.TryGetValue(address, out var follow))
        {
            return;
        }

        lock (follow)
        {
            if (sequence is { } next)
            {
                if (next <= follow.LastSequence)
                {
                    return;
                }

                follow.LastSequence = next;
            }

            if (!follow.Ready)
            {
                if (!isActivity)
                {
                    // Only the newest state matters; activity is all kept.
                    follow.Held.RemoveAll(h => !h.IsActivity);
                }

                follow.Held.Add((isActivity, message));
                return;
            }

            Push(follow, isActivity, message);
        }
    }

    private async Task HandleWalletAsync(NativeRequest request, CancellationToken cancellationToken)
    {
        switch (request.Action)
        {
            case "track":
                var track = new WalletTrackRequest(request.Tracker ?? DefaultTracker, request.Sinks);
                await FollowWalletAsync(request, grain => grain.TrackAsync(track), cancellationToken).ConfigureAwait(false);
                break;
            case "subscribe_wallet":
                await FollowWalletAsync(request, grain => grain.GetAsync(), cancellationToken).ConfigureAwait(false);
                break;
            case "untrack":
                await UntrackWalletAsync(request, cancellationToken).ConfigureAwait(false);
                break;
            case "unsubscribe_wallet":
                await UnsubscribeWalletAsync(request).ConfigureAwait(false);
                break;
            default:
                await ListWalletsAsync(request, cancellationToken).ConfigureAwait(false);
                break;
        }
    }

    private static bool IsWalletAction(string? action) =>
        action is "track" or "untrack" or "list" or "subscribe_wallet" or "unsubscribe_wallet";

    /// <summary>Attaches the socket to the wallet's events, calls the grain, replies with the wallet, then lets pushes through.</summary>
    private async Task FollowWalletAsync(NativeRequest request, Func<IWalletGrain, Task<WalletState>> call, CancellationToken cancellationToken)
    {
        if (!TryValidateAddress(request, out var address))
        {
            return;
        }

        var isNew = false;
        var follow = _wallets.GetOrAdd(address, key =>
        {
            isNew = true;
            return new WalletFollow("wallet." + key);
        });
        if (isNew && _wallets.Count > _options.MaxSubscriptionsPerSocket)
        {
            _wallets.TryRemove(address, out _);
            SendError("subscription_limit", $"a connection may follow at most {_options.MaxSubscriptionsPerSocket} wallets; unsubscribe from some first", request.Id);
            return;
        }

        if (isNew && !await TryAttachWalletAsync(request, address, cancellationToken).ConfigureAwait(false))
        {
            return;
        }

        var reply = await CallWalletAsync(request, address, call, cancellationToken).ConfigureAwait(false);
        if (reply is null)
        {
            if (isNew)
            {
                _wallets.TryRemove(address, out _);
                await _walletHub.DetachAsync(address, this).ConfigureAwait(false);
            }

            return;
        }

        lock (follow)
        {
            if (!Send(reply))
            {
                return;
            }

            follow.Ready = true;
            foreach (var (isActivity, message) in follow.Held)
            {
                Push(follow, isActivity, message);
            }

            follow.Held.Clear();
        }
    }

    /// <summary>Binds the wallet's stream for this socket; when the stream cannot be bound the error goes back and nothing stays.</summary>
    private async Task<bool> TryAttachWalletAsync(NativeRequest request, string address, CancellationToken cancellationToken)
    {
        try
        {
            await _walletHub.AttachAsync(address, this, cancellationToken).ConfigureAwait(false);
            return true;
        }
        catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            _wallets.TryRemove(address, out _);
            GatewayLog.RequestFailed(_logger, _name, e);
            SendError("wallet_unavailable", $"the events of wallet {address} cannot be followed: {e.Message}", request.Id);
            return false;
        }
    }

    /// <summary>Untracks; the socket's subscription to the wallet ends (it may subscribe_wallet again).</summary>
    private async Task UntrackWalletAsync(NativeRequest request, CancellationToken cancellationToken)
    {
        if (!TryValidateAddress(request, out var address))
        {
            return;
        }

        var tracker = request.Tracker ?? DefaultTracker;
        if (await CallWalletAsync(request, address, grain => grain.UntrackAsync(tracker), cancellationToken).ConfigureAwait(false) is not { } reply)
        {
            return;
        }

        if (_wallets.TryRemove(address, out _))
        {
            await _walletHub.DetachAsync(address, this).ConfigureAwait(false);
        }

        Send(reply);
    }

    private async Task UnsubscribeWalletAsync(NativeRequest request)
    {
        if (!TryValidateAddress(request, out var address))
        {
            return;
        }

        if (!_wallets.TryRemove(address, out _))
        {
            SendError("not_subscribed", $"this connection does not follow wallet {address}", request.Id);
            return;
        }

        await _walletHub.DetachAsync(address, this).ConfigureAwait(false);
        Send(NativeMessages.WalletUnsubscribed(address, request.Id));
    }

    private async Task ListWalletsAsync(NativeRequest request, CancellationToken cancellationToken)
    {
        try
        {
            var (wallets, upstreamUp) = await _trackedWallets.ListAsync(cancellationToken).ConfigureAwait(false);
            Send(NativeMessages.Wallets(wallets, upstreamUp, request.Id));
        }
        catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            GatewayLog.RequestFailed(_logger, _name, e);
            SendError("wallet_unavailable", $"the tracked wallets could not be read: {e.Message}; try again", request.Id);
        }
    }

    /// <summary>Calls the wallet's grain and builds the <c>wallet</c> reply; on failure sends the error and returns null.</summary>
    private async Task<byte[]?> CallWalletAsync(NativeRequest request, string address, Func<IWalletGrain, Task<WalletState>> call, CancellationToken cancellationToken)
    {
        try
        {
            var state = await call(_grains.Get<IWalletGrain>(address)).ConfigureAwait(false);
            var upstreamUp = await _upstream.ReadAsync(cancellationToken).ConfigureAwait(false);
            return NativeMessages.Wallet(state, state.StatusWith(upstreamUp), request.Id);
        }
        catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            var error = WalletErrors.FromException(e, address);
            if (error.Code == "wallet_unavailable")
            {
                GatewayLog.RequestFailed(_logger, _name, e);
            }

            SendError(error.Code, error.Message, request.Id);
            return null;
        }
    }

    private bool TryValidateAddress(NativeRequest request, out string address)
    {
        address = request.Address ?? string.Empty;
        if (WalletErrors.Address(request.Address) is { } error)
        {
            SendError(error.Code, error.Message, request.Id);
            return false;
        }

        return true;
    }

    // Under the follow's lock.
    private void Push(WalletFollow follow, bool isActivity, ReadOnlyMemory<byte> message)
    {
        var queued = isActivity
            ? _queue.TryEnqueue(message, orderedAfterKey: follow.QueueKey)
            : _queue.TryEnqueueLatest(follow.QueueKey, message);
        if (!queued)
        {
            Overflow();
        }
    }

    private async Task DetachWalletsAsync()
    {
        foreach (var address in _wallets.Keys)
        {
            await _walletHub.DetachAsync(address, this).ConfigureAwait(false);
        }

        _wallets.Clear();
    }

    /// <summary>This socket's view of one wallet: the newest sequence it took, and what arrived before the reply.</summary>
    private sealed class WalletFollow(string queueKey)
    {
        /// <summary>Its key in the send queue, apart from the accounts' (a wallet is an account too).</summary>
        public string QueueKey => queueKey;

        public bool Ready { get; set; }

        public long LastSequence { get; set; }

        public List<(bool IsActivity, ReadOnlyMemory<byte> Message)> Held { get; } = [];
    }
}
