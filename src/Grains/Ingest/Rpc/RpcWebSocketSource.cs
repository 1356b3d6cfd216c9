using System.Threading.Channels;

using AccountGrains.Grains.Diagnostics;
using AccountGrains.Solana.Rpc;
using AccountGrains.Solana.Transactions;

using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace AccountGrains.Grains.Ingest.Rpc;

/// <summary>
/// Account updates from Solana JSON-RPC websockets, for users without Geyser. The interest set becomes one PubSub
/// subscription per account, per program (with its filters) and four per wallet (<see cref="RpcSubscriptionPlan"/>),
/// spread over up to <see cref="RpcSourceOptions.MaxConnections"/> websockets of at most
/// <see cref="RpcSourceOptions.MaxSubscriptionsPerConnection"/> each, filled in order; what does not fit is marked
/// failed, never sent. Interest changes subscribe and unsubscribe only the difference. A lost websocket is reconnected
/// with backoff and resubscribed on its own (the others carry on); as websockets cannot replay, what changed while it
/// was down is re-read through the <see cref="IInterestReader"/> and counted as a gap.
/// </summary>
/// <remarks>
/// Concurrency: one interest pass (the pump) assigns subscriptions to connections under <c>_gate</c>; each
/// connection runs its own loop that opens a socket, brings the node's subscriptions in line with what is assigned,
/// and reads notifications into the one bounded channel <see cref="ReadAsync"/> yields from.
/// </remarks>
public sealed class RpcWebSocketSource : IAccountUpdateSource, ILiveSource
{
    private readonly RpcSourceOptions _options;
    private readonly SolanaPubSubOptions _pubSubOptions;
    private readonly InterestSet _interest;
    private readonly IInterestReader? _reader;
    private readonly GrainMetrics _metrics;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly string _endpoint;
    private readonly Lock _gate = new();
    private readonly RpcConnectionSlot?[] _connections;
    private readonly Dictionary<string, Assignment> _assignments = new(StringComparer.Ordinal);
    private readonly List<Task> _refills = [];
    private long _reconnects;
    private long _gaps;
    private long _writeVersion;
    private RpcTransactionFetcher? _fetcher;

    public RpcWebSocketSource(
        IOptions<RpcSourceOptions> options,
        InterestSet interest,
        GrainMetrics metrics,
        ILogger<RpcWebSocketSource> logger,
        TimeProvider? time = null,
        IInterestReader? reader = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        _options = options.Value;
        _pubSubOptions = _options.ToPubSubOptions();
        _interest = interest;
        _metrics = metrics;
        _logger = logger;
        _time = time ?? TimeProvider.System;
        _reader = reader;
        _endpoint = _options.DescribeEndpoint();
        _connections = new RpcConnectionSlot?[Math.Max(1, _options.MaxConnections)];

        // RPC notifications carry no write_version, but grains apply an update only when (slot, write_version) is
        // newer than what they hold. One counter for the whole source, incremented per notification, makes later
        // notifications win within a slot and keeps the token unique. Seeding it with the Unix time in microseconds
        // keeps it rising across restarts (a process would need over one notification per microsecond, sustained,
        // to overtake the clock), and puts it far above 0, the write_version of state re-read over RPC, so a live
        // notification of the same slot beats a re-read one.
        _writeVersion = (_time.GetUtcNow() - DateTimeOffset.UnixEpoch).Ticks / TimeSpan.TicksPerMicrosecond;
    }

    /// <summary>getTransaction for a logsSubscribe signature; with <see cref="Transactions"/>, what makes wallet activity over RPC. Null: logs are only counted.</summary>
    public Func<string, CancellationToken, Task<RpcTransaction?>>? FetchTransaction { get; init; }

    /// <summary>
    /// A wallet's recent transactions, newest first (getSignaturesForAddress): after a socket was down, its wallets'
    /// transactions since the loss are fetched, as websockets replay nothing.
    /// </summary>
    public Func<string, CancellationToken, Task<IReadOnlyList<RpcSignatureInfo>>>? RecentSignatures { get; init; }

    /// <summary>Takes the transactions that mention tracked wallets.</summary>
    public Func<TransactionFacts, CancellationToken, ValueTask>? Transactions { get; init; }

    public string Kind => IngestOptions.Rpc;

    public string Describe => $"rpc {_endpoint} ({_options.Commitment.ToString().ToLowerInvariant()})";

    /// <summary><c>connecting</c> until every open connection is up, <c>connected</c> then, <c>reconnecting</c> while one is lost.</summary>
    public string Upstream
    {
        get
        {
            lock (_gate)
            {
                var open = _connections.Where(c => c is not null).Select(c => c!.State).ToList();
                return open.Contains(RpcConnectionState.Lost) ? "reconnecting"
                    : open.Count > 0 && open.All(s => s == RpcConnectionState.Connected) ? "connected"
                    : "connecting";
            }
        }
    }

    public long Reconnects => Interlocked.Read(ref _reconnects);

    public long Gaps => Interlocked.Read(ref _gaps);

    /// <summary>Every subscription the interest set needs and how it fares, ordered by interest and kind.</summary>
    public IReadOnlyList<SubscriptionStatus> GetSubscriptions()
    {
        lock (_gate)
        {
            return [.. _assignments.Values.OrderBy(a => a.Subscription.Key, StringComparer.Ordinal).Select(Status)];
        }
    }

    public IAsyncEnumerable<AccountUpdate> ReadAsync(Action<SourceRecordError> rejected, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(rejected);
        return PumpedSource.ReadAsync(_options.BufferSize, (writer, token) => PumpAsync(writer, rejected, token), cancellationToken);
    }

    /// <summary>Assigns the interest set, then follows its changes until stopped; the connections do the rest.</summary>
    private async Task PumpAsync(ChannelWriter<AccountUpdate> updates, Action<SourceRecordError> rejected, CancellationToken cancellationToken)
    {
        Exception? failure = null;
        var fetching = Task.CompletedTask;
        if (FetchTransaction is { } fetch && Transactions is { } handOn)
        {
            var fetcher = new RpcTransactionFetcher(fetch, handOn, rejected, _logger, _time);
            _fetcher = fetcher;
            fetching = fetcher.RunAsync(cancellationToken);
        }

        try
        {
            var version = _interest.Version;
            var (_, _, _, total) = Assign(_interest.Snapshot(), updates, cancellationToken);
            Ensure(0, updates, cancellationToken); // opened even when idle, so a wrong URL shows at once
            RpcSourceLog.Planned(_logger, _interest.Count, _endpoint, total, OpenConnections(), _options.Commitment);
            while (true)
            {
                await _interest.WaitForChangeAsync(version, cancellationToken).ConfigureAwait(false);
                if (_options.RebuildDebounce > TimeSpan.Zero)
                {
                    await Task.Delay(_options.RebuildDebounce, _time, cancellationToken).ConfigureAwait(false);
                }

                version = _interest.Version;
                var (added, removed, overBudget, _) = Assign(_interest.Snapshot(), updates, cancellationToken);
                _metrics.FilterRebuilt(Kind);
                RpcSourceLog.Changed(_logger, added, removed, overBudget);
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
        catch (Exception e)
        {
            failure = e;
        }
        finally
        {
            List<Task> running;
            lock (_gate)
            {
                running = [.. _connections.Where(c => c is not null).Select(c => c!.Loop), .. _refills, fetching];
            }

            await Task.WhenAll(running).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }

        updates.TryComplete(failure);
    }

    /// <summary>
    /// Brings the assignments in line with <paramref name="entries"/>: removed subscriptions leave their connection,
    /// new ones (and earlier ones that did not fit) go to the first connection with room, the rest are failed.
    /// </summary>
    private (int Added, int Removed, int OverBudget, int Total) Assign(IReadOnlyList<Interest> entries, ChannelWriter<AccountUpdate> updates, CancellationToken cancellationToken)
    {
        var wanted = RpcSubscriptionPlan.For(entries);
        var wantedKeys = wanted.Select(w => w.Key).ToHashSet(StringComparer.Ordinal);
        var touched = new HashSet<int>();
        int added = 0, removed = 0, overBudget = 0, newlyOverBudget = 0;
        lock (_gate)
        {
            foreach (var gone in _assignments.Keys.Where(k => !wantedKeys.Contains(k)).ToList())
            {
                if (_assignments[gone].Connection is { } index)
                {
                    _connections[index]!.Desired.Remove(gone);
                    _connections[index]!.Refused.Remove(gone);
                    touched.Add(index);
                }

                _assignments.Remove(gone);
                removed++;
            }

            foreach (var subscription in wanted)
            {
                var known = _assignments.TryGetValue(subscription.Key, out var assignment);
                if (known && assignment!.Connection is not null)
                {
                    continue;
                }

                if (FirstWithRoom() is { } index)
                {
                    Ensure(index, updates, cancellationToken).Desired[subscription.Key] = subscription;
                    _assignments[subscription.Key] = new Assignment(subscription, index);
                    touched.Add(index);
                    added++;
                    continue;
                }

                overBudget++;
                if (!known)
                {
                    _assignments[subscription.Key] = new Assignment(subscription, null);
                    newlyOverBudget++;
                }
            }
        }

        foreach (var index in touched)
        {
            _connections[index]!.Wake.Writer.TryWrite(true);
        }

        if (newlyOverBudget > 0)
        {
            RpcSourceLog.OverBudget(_logger, overBudget, wanted.Count, _options.MaxConnections, _options.MaxSubscriptionsPerConnection);
        }

        return (added, removed, overBudget, wanted.Count);
    }

    private int? FirstWithRoom()
    {
        for (var i = 0; i < _connections.Length; i++)
        {
            if ((_connections[i]?.Desired.Count ?? 0) < _options.MaxSubscriptionsPerConnection)
            {
                return i;
            }
        }

        return null;
    }

    /// <summary>The connection at <paramref name="index"/>, opened (its loop started) on first use.</summary>
    private RpcConnectionSlot Ensure(int index, ChannelWriter<AccountUpdate> updates, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            if (_connections[index] is { } existing)
            {
                return existing;
            }

            var connection = new RpcConnectionSlot(index);
            _connections[index] = connection;
            connection.Loop = Task.Run(() => RunConnectionAsync(connection, updates, cancellationToken), CancellationToken.None);
            return connection;
        }
    }

    private int OpenConnections()
    {
        lock (_gate)
        {
            return _connections.Count(c => c is not null);
        }
    }

    /// <summary>Connects, serves the socket until it is lost, reconnects with backoff: until stopped.</summary>
    private async Task RunConnectionAsync(RpcConnectionSlot connection, ChannelWriter<AccountUpdate> updates, CancellationToken cancellationToken)
    {
        var attempt = 0;
        var wasLost = false;
        while (!cancellationToken.IsCancellationRequested)
        {
            SessionEnd end;
            try
            {
                end = await RunSessionAsync(connection, wasLost, updates, cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                RpcSourceLog.LoopFailed(_logger, connection.Index, e);
                end = new SessionEnd("error", Scrub($"{e.GetType().Name}: {e.Message}"), false);
            }

            if (cancellationToken.IsCancellationRequested)
            {
                return;
            }

            int carried;
            lock (_gate)
            {
                if (end.Connected)
                {
                    connection.LostAt = _time.GetUtcNow();
                }

                wasLost |= end.Connected;
                connection.State = wasLost ? RpcConnectionState.Lost : RpcConnectionState.Connecting;
                connection.ResetSocket();
                carried = connection.Desired.Count;
            }

            Interlocked.Increment(ref _reconnects);
            _metrics.Reconnected(Kind, end.Reason);
            attempt = end.Connected ? 1 : attempt + 1;
            var delay = Backoff(attempt);
            RpcSourceLog.ConnectionLost(_logger, connection.Index, _endpoint, end.Detail, carried, (long)delay.TotalMilliseconds, attempt);
            try
            {
                await Task.Delay(delay, _time, cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    /// <summary>Full jitter: a random wait up to the capped exponential delay, at least the initial delay.</summary>
    private TimeSpan Backoff(int attempt)
    {
        var initial = _options.ReconnectInitialDelay.TotalMilliseconds;
        var cap = Math.Min(_options.ReconnectMaxDelay.TotalMilliseconds, initial * Math.Pow(2, Math.Min(attempt - 1, 30)));
        return TimeSpan.FromMilliseconds(initial + (Random.Shared.NextDouble() * Math.Max(0, cap - initial)));
    }

    /// <summary>
    /// One socket: subscribes what is assigned, follows assignment changes, reads notifications, until the socket
    /// ends. After a loss, the first complete resubscription starts the gap refill.
    /// </summary>
    private async Task<SessionEnd> RunSessionAsync(RpcConnectionSlot connection, bool afterLoss, ChannelWriter<AccountUpdate> updates, CancellationToken cancellationToken)
    {
        SolanaPubSubClient client;
        try
        {
            client = await SolanaPubSubClient.ConnectAsync(_options.WebSocketUrl!, _pubSubOptions, _logger, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            return new SessionEnd("connect_failed", Scrub($"connecting failed: {e.Message}"), false);
        }

        await using var disposeClient = client.ConfigureAwait(false);
        using var session = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        int assigned;
        lock (_gate)
        {
            connection.ResetSocket();
            connection.State = RpcConnectionState.Connected;
            assigned = connection.Desired.Count;
        }

        RpcSourceLog.Connected(_logger, connection.Index, _endpoint, assigned);
        var reading = ReadNotificationsAsync(connection, client, updates, session.Token);
        var refillPending = afterLoss;
        Task? wake = null;
        try
        {
            while (true)
            {
                var changes = Reconcile(connection, client, session.Token);
                await changes.ConfigureAwait(false);
                if (client.Completion.IsCompleted || reading.IsCompleted)
                {
                    break;
                }

                if (refillPending)
                {
                    refillPending = false;
                    StartRefill(connection, updates, cancellationToken);
                }

                wake ??= connection.Wake.Reader.ReadAsync(session.Token).AsTask();
                var woke = await Task.WhenAny(wake, client.Completion, reading).ConfigureAwait(false);
                if (woke != wake || !wake.IsCompletedSuccessfully)
                {
                    break;
                }

                wake = null;
            }
        }
        finally
        {
            await session.CancelAsync().ConfigureAwait(false);
            await reading.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }

        cancellationToken.ThrowIfCancellationRequested();
        if (reading.IsFaulted && !client.Completion.IsFaulted)
        {
            return new SessionEnd("error", Scrub(reading.Exception!.GetBaseException().Message), true);
        }

        return client.Completion.IsFaulted
            ? new SessionEnd("lost", Scrub(client.Completion.Exception!.GetBaseException().Message), true)
            : new SessionEnd("closed", "the connection was closed", true);
    }

    /// <summary>
    /// Starts the unsubscribes, then the subscribes, that make the node's subscriptions on this socket match what is
    /// assigned; the returned task completes when all are answered (the reader waits on it for new ids). Passes run
    /// one after another and removals go first, so the socket never holds more than its budget.
    /// </summary>
    private Task Reconcile(RpcConnectionSlot connection, SolanaPubSubClient client, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            var subscribe = connection.Desired.Values
                .Where(s => !connection.Subscribed.ContainsKey(s.Key) && !connection.Refused.ContainsKey(s.Key))
                .ToList();
            var unsubscribe = new List<(PlannedSubscription Subscription, ulong Id)>();
            foreach (var (key, id) in connection.Subscribed.Where(s => !connection.Desired.ContainsKey(s.Key)).ToList())
            {
                // Forgotten first: a notification still on its way is then dropped, not delivered for a removed interest.
                connection.Subscribed.Remove(key);
                connection.ById.Remove(id, out var subscription);
                unsubscribe.Add((subscription!, id));
            }

            if (subscribe.Count == 0 && unsubscribe.Count == 0)
            {
                return Task.CompletedTask;
            }

            connection.Changes = ChangeAsync(connection, client, subscribe, unsubscribe, cancellationToken);
            return connection.Changes;
        }
    }

    private async Task ChangeAsync(
        RpcConnectionSlot connection,
        SolanaPubSubClient client,
        List<PlannedSubscription> subscribe,
        List<(PlannedSubscription Subscription, ulong Id)> unsubscribe,
        CancellationToken cancellationToken)
    {
        await Task.Yield(); // the caller holds the lock
        await Task.WhenAll(unsubscribe.Select(u => UnsubscribeAsync(connection, client, u.Subscription, u.Id, cancellationToken))).ConfigureAwait(false);
        await Task.WhenAll(subscribe.Select(s => SubscribeAsync(connection, client, s, cancellationToken))).ConfigureAwait(false);
    }

    private async Task SubscribeAsync(RpcConnectionSlot connection, SolanaPubSubClient client, PlannedSubscription subscription, CancellationToken cancellationToken)
    {
        ulong id;
        try
        {
            id = subscription.Kind switch
            {
                PubSubKind.Account => await client.AccountSubscribeAsync(subscription.Target, _options.Commitment, cancellationToken).ConfigureAwait(false),
                PubSubKind.Program => await client.ProgramSubscribeAsync(subscription.Target, subscription.RpcFilters(), _options.Commitment, cancellationToken).ConfigureAwait(false),
                _ => await client.LogsSubscribeAsync(subscription.Target, _options.Commitment, cancellationToken).ConfigureAwait(false),
            };
        }
        catch (TimeoutException e)
        {
            // Unanswered is not refused: the node may have subscribed and the reply be stuck behind notifications we
            // are slow to read. Marking it failed would lose it for the socket's life (and its notifications would
            // come for an unknown id). End the socket instead: the next one subscribes everything again and re-reads
            // what it carried.
            RpcSourceLog.SubscribeRefused(_logger, _endpoint, subscription.KindName, subscription.Target, subscription.Interest.Id,
                $"no answer ({Scrub(e.Message)}); reconnecting to subscribe again");
            await client.DisposeAsync().ConfigureAwait(false);
            return;
        }
        catch (Exception e) when (e is SolanaRpcException or ArgumentException or OverflowException)
        {
            // Refused (or not sendable at all): this key fails; the socket and the other keys go on.
            var error = e is SolanaRpcException rpc ? rpc.Message : Scrub(e.Message);
            lock (_gate)
            {
                connection.Refused[subscription.Key] = error;
            }

            RpcSourceLog.SubscribeRefused(_logger, _endpoint, subscription.KindName, subscription.Target, subscription.Interest.Id, error);
            return;
        }
        catch (Exception e) when (e is IOException or ObjectDisposedException or OperationCanceledException)
        {
            return; // the socket ended: the session ends and the next one subscribes again
        }

        lock (_gate)
        {
            // Recorded even when the key was removed meanwhile: the next pass then sees it and unsubscribes.
            connection.Subscribed[subscription.Key] = id;
            connection.ById[id] = subscription;
        }
    }

    private async Task UnsubscribeAsync(RpcConnectionSlot connection, SolanaPubSubClient client, PlannedSubscription subscription, ulong id, CancellationToken cancellationToken)
    {
        try
        {
            await client.UnsubscribeAsync(subscription.Kind, id, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is SolanaRpcException or TimeoutException or IOException or ObjectDisposedException or OperationCanceledException)
        {
            // The node keeps sending for it at worst; its notifications are dropped as unknown.
            RpcSourceLog.UnsubscribeFailed(_logger, subscription.KindName, id, connection.Index, Scrub(e.Message));
        }
    }

    private async Task ReadNotificationsAsync(RpcConnectionSlot connection, SolanaPubSubClient client, ChannelWriter<AccountUpdate> updates, CancellationToken cancellationToken)
    {
        await foreach (var notification in client.Notifications.ReadAllAsync(cancellationToken).ConfigureAwait(false))
        {
            switch (notification)
            {
                case AccountNotification account:
                    _metrics.UpstreamMessage(Kind, "account");
                    if (await FindAsync(connection, account.SubscriptionId, cancellationToken).ConfigureAwait(false) is { } subscription)
                    {
                        await updates.WriteAsync(ToUpdate(subscription.Target, account.Slot, account.Account), cancellationToken).ConfigureAwait(false);
                    }

                    break;
                case ProgramNotification program:
                    _metrics.UpstreamMessage(Kind, "program");
                    if (await FindAsync(connection, program.SubscriptionId, cancellationToken).ConfigureAwait(false) is not null)
                    {
                        await updates.WriteAsync(ToUpdate(program.Account.Pubkey, program.Slot, program.Account.Account), cancellationToken).ConfigureAwait(false);
                    }

                    break;
                case LogsNotification logs:
                    // A transaction mentioning a tracked wallet: fetched beside this reader, then analysed per wallet.
                    _metrics.UpstreamMessage(Kind, "logs");
                    if (_fetcher is { } fetcher)
                    {
                        await fetcher.OfferAsync(logs.Signature, cancellationToken).ConfigureAwait(false);
                    }

                    break;
                case SlotNotification:
                    _metrics.UpstreamMessage(Kind, "slot");
                    break;
                default:
                    _metrics.UpstreamMessage(Kind, "other");
                    break;
            }
        }
    }

    /// <summary>
    /// The subscription behind <paramref name="id"/>. The node may notify as soon as it has replied, before the
    /// subscribe's continuation recorded the id; so an unknown id waits for the subscribes in flight, then is dropped.
    /// </summary>
    private async ValueTask<PlannedSubscription?> FindAsync(RpcConnectionSlot connection, ulong id, CancellationToken cancellationToken)
    {
        Task changes;
        lock (_gate)
        {
            if (connection.ById.TryGetValue(id, out var subscription))
            {
                return subscription;
            }

            changes = connection.Changes;
        }

        if (!changes.IsCompleted)
        {
            await changes.WaitAsync(_pubSubOptions.RequestTimeout, cancellationToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            lock (_gate)
            {
                if (connection.ById.TryGetValue(id, out var subscription))
                {
                    return subscription;
                }
            }
        }

        RpcSourceLog.UnknownSubscription(_logger, connection.Index, id);
        return null;
    }

    private AccountUpdate ToUpdate(string pubkey, ulong slot, RpcAccount account) => new(
        pubkey,
        account.Owner,
        account.Lamports,
        account.Data,
        account.Executable,
        account.RentEpoch,
        slot,
        (ulong)Interlocked.Increment(ref _writeVersion),
        TxnSignature: null,
        _time.GetUtcNow());

    /// <summary>Re-reads what a reconnected socket carries: websockets cannot replay what changed while it was down.</summary>
    private void StartRefill(RpcConnectionSlot connection, ChannelWriter<AccountUpdate> updates, CancellationToken cancellationToken)
    {
        List<Interest> affected;
        lock (_gate)
        {
            affected = [.. connection.Desired.Values.Select(s => s.Interest).Distinct().OrderBy(i => i.Id, StringComparer.Ordinal)];
        }

        if (affected.Count == 0)
        {
            return;
        }

        BackfillWallets(connection, affected, cancellationToken);
        Interlocked.Increment(ref _gaps);
        _metrics.Gap(Kind);
        if (_reader is null)
        {
            RpcSourceLog.GapNotRefilled(_logger, connection.Index, affected.Count);
            return;
        }

        RpcSourceLog.Gap(_logger, connection.Index, affected.Count, _reader.Describe);
        var refill = RefillAsync(connection.Index, affected, updates, cancellationToken);
        lock (_gate)
        {
            _refills.RemoveAll(r => r.IsCompleted);
            _refills.Add(refill);
        }
    }

    /// <summary>
    /// The transactions of the connection's wallets since it was lost (less a minute for clock skew), fetched like
    /// notified ones; the wallet grains drop those they recorded already.
    /// </summary>
    private void BackfillWallets(RpcConnectionSlot connection, IReadOnlyList<Interest> affected, CancellationToken cancellationToken)
    {
        var wallets = affected.Where(i => i.Kind == InterestKind.Wallet).Select(i => i.Key).ToList();
        if (wallets.Count == 0 || RecentSignatures is not { } recent || _fetcher is not { } fetcher || connection.LostAt is not { } lostAt)
        {
            return;
        }

        var since = lostAt.ToUnixTimeSeconds() - 60;
        var backfill = Task.Run(
            async () =>
            {
                foreach (var wallet in wallets)
                {
                    try
                    {
                        var signatures = await recent(wallet, cancellationToken).ConfigureAwait(false);
                        foreach (var signature in signatures.Where(s => s.BlockTime is null || s.BlockTime >= since).Reverse())
                        {
                            await fetcher.OfferAsync(signature.Signature, cancellationToken).ConfigureAwait(false);
                        }
                    }
                    catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
                    {
                        RpcSourceLog.WalletBackfillFailed(_logger, wallet, connection.Index, e);
                    }
                }
            },
            CancellationToken.None);
        lock (_gate)
        {
            _refills.Add(backfill);
        }
    }

    private async Task RefillAsync(int connection, IReadOnlyList<Interest> affected, ChannelWriter<AccountUpdate> updates, CancellationToken cancellationToken)
    {
        await Task.Yield();
        var count = 0;
        try
        {
            // The socket is subscribed again, so what changes from now on arrives on it; the read covers the time it
            // was down. Read state carries write_version 0, so a notification of the same slot wins in the grain.
            await foreach (var update in _reader!.ReadAsync(affected, cancellationToken).ConfigureAwait(false))
            {
                await updates.WriteAsync(update, cancellationToken).ConfigureAwait(false);
                count++;
            }

            RpcSourceLog.GapRefilled(_logger, connection, count);
        }
        catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            RpcSourceLog.GapRefillFailed(_logger, connection, e);
        }
    }

    private SubscriptionStatus Status(Assignment assignment)
    {
        var s = assignment.Subscription;
        if (assignment.Connection is not { } index)
        {
            return new(s.Interest.Id, s.KindName, s.Target, SubscriptionStates.Failed, null,
                $"over the subscription budget: {_options.MaxConnections} connections x {_options.MaxSubscriptionsPerConnection} subscriptions are in use "
                + $"(raise {RpcSourceOptions.SectionName}:MaxConnections or MaxSubscriptionsPerConnection if the endpoint allows, or follow less)");
        }

        var connection = _connections[index]!;
        if (connection.Refused.TryGetValue(s.Key, out var error))
        {
            return new(s.Interest.Id, s.KindName, s.Target, SubscriptionStates.Failed, index, error);
        }

        var state = connection.Subscribed.ContainsKey(s.Key) ? SubscriptionStates.Active
            : connection.State == RpcConnectionState.Lost ? SubscriptionStates.Disconnected
            : SubscriptionStates.Pending;
        return new(s.Interest.Id, s.KindName, s.Target, state, index, null);
    }

    /// <summary>Removes the URL's path and query (where API keys sit) from text that may quote it.</summary>
    private string Scrub(string text)
    {
        if (_options.WebSocketUrl is not { } url)
        {
            return text;
        }

        text = text.Replace(url.OriginalString, _endpoint, StringComparison.Ordinal).Replace(url.AbsoluteUri, _endpoint, StringComparison.Ordinal);
        if (url.PathAndQuery.Length > 1)
        {
            text = text.Replace(url.PathAndQuery, "/…", StringComparison.Ordinal);
        }

        return url.Query.Length > 1 ? text.Replace(url.Query, "?…", StringComparison.Ordinal) : text;
    }

    /// <summary>A subscription the interest needs, on its connection (null: over budget).</summary>
    private sealed record Assignment(PlannedSubscription Subscription, int? Connection);

    private readonly record struct SessionEnd(string Reason, string Detail, bool Connected);
}
