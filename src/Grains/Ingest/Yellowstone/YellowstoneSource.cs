using System.Threading.Channels;

using AccountGrains.Grains.Diagnostics;
using AccountGrains.Grains.Wallets;
using AccountGrains.Grpc;
using AccountGrains.Runtime.Storage;
using AccountGrains.Solana;
using AccountGrains.Solana.Transactions;

using Geyser;

using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace AccountGrains.Grains.Ingest.Yellowstone;

/// <summary>
/// Account updates from a Yellowstone Geyser gRPC endpoint: one Subscribe stream built from the interest set. Pings
/// the server and answers its pings; resends the whole request (debounced) when the interest set changes; when the
/// stream is lost, reconnects with exponential backoff and jitter and resumes at the last complete slot, dropping
/// what the server sends again; when the server cannot replay that far (OUT_OF_RANGE), resumes at the tip, re-reads
/// the interest over RPC, and logs and counts the gap.
/// </summary>
public sealed class YellowstoneSource : IAccountUpdateSource, ILiveSource
{
    public const string SubscribeMethod = "/geyser.Geyser/Subscribe";
    public const string CheckpointName = "yellowstone";

    private readonly YellowstoneOptions _options;
    private readonly InterestSet _interest;
    private readonly IIngestStateStore _state;
    private readonly IInterestReader? _reader;
    private readonly GrainMetrics _metrics;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly ReplayWindow _window;
    private readonly string _endpoint;
    private readonly BlockTimeJoin _blockTimes = new();
    private volatile string _upstream = "connecting";
    private long _reconnects;
    private long _gaps;
    private int _pingId;
    private long _lastReceivedTicks;
    private bool _handing;
    private ulong _savedCheckpoint;
    private long _handedOnComplete;
    private ulong _previousTick;

    // A hand-off that failed to become durable stops checkpoints until the next read starts over from the stored one.
    private volatile bool _handOffFailed;
    private ulong? _gapFrom;
    private Task _refill = Task.CompletedTask;

    public YellowstoneSource(
        IOptions<YellowstoneOptions> options,
        InterestSet interest,
        IIngestStateStore state,
        GrainMetrics metrics,
        ILogger<YellowstoneSource> logger,
        TimeProvider? time = null,
        IInterestReader? reader = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        _options = options.Value;
        _interest = interest;
        _state = state;
        _reader = reader;
        _metrics = metrics;
        _time = time ?? TimeProvider.System;
        _logger = logger;
        _window = new ReplayWindow(_options.ReplayWindowSlots);
        _endpoint = _options.DescribeEndpoint();
    }

    /// <summary>
    /// Completes when everything handed on so far is durable (the cluster transport's flush: the partition queues
    /// hold it). A checkpoint is saved only after it, so a new leader never resumes past an update that was lost.
    /// </summary>
    public Func<CancellationToken, Task>? HandOffDurable { get; init; }

    /// <summary>
    /// Takes the transactions of the <c>wallets</c> filter (those mentioning tracked wallets), with their block time,
    /// before their slot's completion is handed on; null drops them.
    /// </summary>
    public Func<TransactionFacts, CancellationToken, ValueTask>? Transactions { get; init; }

    /// <summary>Token accounts of tracked wallets, named in the <c>wallets</c> transaction filter; a new one rebuilds the filter.</summary>
    public WalletTokenAccounts? TokenAccounts { get; init; }

    public string Kind => IngestOptions.Yellowstone;

    public string Describe => $"yellowstone {_endpoint} ({_options.Commitment.ToString().ToLowerInvariant()})";

    public string Upstream => _upstream;

    public long Reconnects => Interlocked.Read(ref _reconnects);

    public long Gaps => Interlocked.Read(ref _gaps);

    /// <summary>Every interest entry is a filter of the one stream: active while it is connected.</summary>
    public IReadOnlyList<SubscriptionStatus> GetSubscriptions()
    {
        var state = _upstream switch
        {
            "connected" => SubscriptionStates.Active,
            "connecting" => SubscriptionStates.Pending,
            _ => SubscriptionStates.Disconnected,
        };
        return [.. _interest.Snapshot().Select(i => new SubscriptionStatus(i.Id, i.KindName, i.Key, state, 0, null))];
    }

    public IAsyncEnumerable<AccountUpdate> ReadAsync(Action<SourceRecordError> rejected, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(rejected);
        return PumpedSource.ReadAsync<StreamItem>(_options.BufferSize, (writer, token) => PumpAsync(writer, rejected, token), Unwrap, cancellationToken);
    }

    private async Task PumpAsync(ChannelWriter<StreamItem> updates, Action<SourceRecordError> rejected, CancellationToken cancellationToken)
    {
        try
        {
            // Every read starts from what is stored, not from what an earlier read of this source saw: after updates
            // were not delivered (cluster mode) the ingest reads again, and they must come again, not be dropped as seen.
            _window.Reset();
            _previousTick = 0;
            _savedCheckpoint = 0;
            _handOffFailed = false;
            Interlocked.Exchange(ref _handedOnComplete, 0);
            if (await ReadCheckpointAsync(cancellationToken).ConfigureAwait(false) is { } stored and > 0)
            {
                YellowstoneLog.ResumingFromCheckpoint(_logger, stored);
                _window.Restore(stored);
                Interlocked.Exchange(ref _handedOnComplete, (long)stored);
            }

            using var checkpoints = new CancellationTokenSource();
            var checkpointLoop = CheckpointLoopAsync(checkpoints.Token);
            var attempt = 0;
            try
            {
                while (!cancellationToken.IsCancellationRequested)
                {
                    // A connection per stream: after a silent network loss the pooled HTTP/2 connection may be dead,
                    // and reusing it would stall every later stream too. (No HTTP/2 keep-alive pings: gRPC servers
                    // answer frequent pings with GOAWAY "too_many_pings"; the stream's own pings and the stall
                    // watchdog find a dead connection.)
                    SessionEnd session;
                    using (var connection = new GrpcConnection(_options.Endpoint!, new GrpcConnectionOptions { MaxReceiveMessageSize = _options.MaxMessageSize }))
                    {
                        session = await RunSessionAsync(connection, updates, rejected, cancellationToken).ConfigureAwait(false);
                    }

                    if (cancellationToken.IsCancellationRequested)
                    {
                        break;
                    }

                    _upstream = "reconnecting";
                    Interlocked.Increment(ref _reconnects);
                    _metrics.Reconnected(Kind, session.Reason);
                    attempt = session.Delivered ? 1 : attempt + 1;
                    var delay = session.Reason == "gap" ? TimeSpan.Zero : Backoff(attempt);
                    YellowstoneLog.StreamLost(_logger, _endpoint, session.Detail, (long)delay.TotalMilliseconds, attempt);
                    await Task.Delay(delay, _time, cancellationToken).ConfigureAwait(false);
                }
            }
            finally
            {
                await _refill.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
                await checkpoints.CancelAsync().ConfigureAwait(false);
                await checkpointLoop.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
                await SaveCheckpointAsync(CancellationToken.None).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
        catch (Exception e)
        {
            updates.TryComplete(e);
            return;
        }

        updates.TryComplete();
    }

    /// <summary>Full jitter: a random wait up to the capped exponential delay, at least the initial delay.</summary>
    private TimeSpan Backoff(int attempt)
    {
        var cap = Math.Min(_options.ReconnectMaxDelay.TotalMilliseconds, _options.ReconnectInitialDelay.TotalMilliseconds * Math.Pow(2, Math.Min(attempt - 1, 30)));
        var initial = _options.ReconnectInitialDelay.TotalMilliseconds;
        return TimeSpan.FromMilliseconds(initial + (Random.Shared.NextDouble() * Math.Max(0, cap - initial)));
    }

    private async Task<SessionEnd> RunSessionAsync(GrpcConnection connection, ChannelWriter<StreamItem> updates, Action<SourceRecordError> rejected, CancellationToken cancellationToken)
    {
        var fromSlot = _window.ResumeSlot;
        _blockTimes.Clear(); // what waited belongs to slots the new stream replays
        var version = _interest.Version;
        var entries = _interest.Snapshot();
        var tokenAccountsVersion = TokenAccounts?.Version ?? 0;
        var request = SubscribeRequestBuilder.Build(entries, _options.Commitment, fromSlot, WalletTokenAccountsOf(entries));
        LogSubscribing(entries, fromSlot);
        using var session = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var headers = new Metadata();
        if (!string.IsNullOrEmpty(_options.XToken))
        {
            headers.Add("x-token", _options.XToken);
        }

        using var call = connection.Duplex<SubscribeRequest, SubscribeUpdate>(SubscribeMethod, new CallOptions { Headers = headers, CancellationToken = session.Token });
        var delivered = false;
        var stalled = false;
        Task background = Task.CompletedTask;
        try
        {
            await SendFirstAsync(call, request, session.Token).ConfigureAwait(false);
            Interlocked.Exchange(ref _lastReceivedTicks, _time.GetTimestamp());
            if (_gapFrom is { } gapFrom)
            {
                // The new stream is open at the tip, so whatever changes from now on arrives on it; the RPC read
                // covers what changed during the gap. Grains keep whichever is newer. A refill still running read
                // before this gap: the new one follows it.
                _gapFrom = null;
                var previous = _refill;
                _refill = RefillAfterAsync(previous, gapFrom, updates, cancellationToken);
            }

            background = Task.WhenAll(
                RebuildLoopAsync(call, version, tokenAccountsVersion, session.Token),
                PingLoopAsync(call, session.Token),
                WatchdogAsync(session, () => stalled = true));
            while (await call.ResponseStream.MoveNext(session.Token).ConfigureAwait(false))
            {
                Interlocked.Exchange(ref _lastReceivedTicks, _time.GetTimestamp());
                if (!delivered)
                {
                    delivered = true;
                    _upstream = "connected";
                    YellowstoneLog.Connected(_logger, _endpoint);
                }

                // Waiting for a slow consumer (a full channel) is back-pressure, not a silent upstream: the watchdog
                // counts silence from when the reader is back at the stream.
                Volatile.Write(ref _handing, true);
                try
                {
                    await HandleAsync(call, call.ResponseStream.Current, updates, rejected, session.Token).ConfigureAwait(false);
                }
                finally
                {
                    Interlocked.Exchange(ref _lastReceivedTicks, _time.GetTimestamp());
                    Volatile.Write(ref _handing, false);
                }
            }

            return new SessionEnd("ended", "the server ended the stream", delivered);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            return new SessionEnd("stopped", "stopped", delivered);
        }
        catch (GrpcException e) when (cancellationToken.IsCancellationRequested)
        {
            return new SessionEnd("stopped", e.Detail, delivered);
        }
        catch (Exception e) when (stalled && e is OperationCanceledException or GrpcException)
        {
            return new SessionEnd("stalled", "nothing received within the stall timeout", delivered);
        }
        catch (GrpcException e) when (fromSlot is { } slot && IsReplayRefused(e))
        {
            Interlocked.Increment(ref _gaps);
            _metrics.Gap(Kind);
            YellowstoneLog.Gap(_logger, _endpoint, slot, e.Detail, _interest.Count);
            _window.Reset();
            _gapFrom = slot;
            return new SessionEnd("gap", $"cannot replay from slot {slot}", delivered);
        }
        catch (GrpcException e)
        {
            return new SessionEnd(e.StatusCode.ToString().ToLowerInvariant(), $"{e.StatusCode}: {e.Detail}", delivered);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // Whatever breaks one stream must not end the ingest: reported, then the next stream is opened.
            return new SessionEnd("error", $"{e.GetType().Name}: {e.Message}", delivered);
        }
        finally
        {
            await session.CancelAsync().ConfigureAwait(false);
            await background.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }
    }

    /// <summary>
    /// Sends the subscription. A server that refuses the call at once (bad x-token, OUT_OF_RANGE) may end it before
    /// the write completes; the write then fails without saying why, so the status is read from the response.
    /// </summary>
    private static async Task SendFirstAsync(DuplexCall<SubscribeRequest, SubscribeUpdate> call, SubscribeRequest request, CancellationToken cancellationToken)
    {
        try
        {
            await call.RequestStream.WriteAsync(request, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is GrpcException or InvalidOperationException && !cancellationToken.IsCancellationRequested)
        {
            while (await call.ResponseStream.MoveNext(cancellationToken).ConfigureAwait(false))
            {
            }

            throw;
        }
    }

    /// <summary>Yellowstone refuses a <c>from_slot</c> outside its replay window with OUT_OF_RANGE (some versions: INVALID_ARGUMENT naming from_slot).</summary>
    private static bool IsReplayRefused(GrpcException e) =>
        e.StatusCode == StatusCode.OutOfRange
        || (e.StatusCode == StatusCode.InvalidArgument && e.Detail.Contains("from_slot", StringComparison.OrdinalIgnoreCase));

    private async Task HandleAsync(
        DuplexCall<SubscribeRequest, SubscribeUpdate> call,
        SubscribeUpdate message,
        ChannelWriter<StreamItem> updates,
        Action<SourceRecordError> rejected,
        CancellationToken cancellationToken)
    {
        if (message.CreatedAt is { } createdAt)
        {
            _metrics.UpstreamLatency(Kind, _time.GetUtcNow() - createdAt.ToDateTimeOffset());
        }

        switch (message.UpdateOneofCase)
        {
            case SubscribeUpdate.UpdateOneofOneofCase.Account:
                _metrics.UpstreamMessage(Kind, "account");
                if (ToUpdate(message.Account, rejected) is { } update)
                {
                    try
                    {
                        await updates.WriteAsync(new StreamItem(update, 0), cancellationToken).ConfigureAwait(false);
                    }
                    catch (OperationCanceledException)
                    {
                        // Not handed on: the resumed stream must deliver it again, not drop it as seen.
                        _window.Forget(update.Slot, update.WriteVersion, message.Account.Account.Pubkey.Span);
                        throw;
                    }
                }

                break;
            case SubscribeUpdate.UpdateOneofOneofCase.Slot:
                _metrics.UpstreamMessage(Kind, "slot");
                if (IsAtCommitment(message.Slot.Status))
                {
                    // The slot's transactions go first: the completion lets the checkpoint pass them.
                    await HandOnAsync(_blockTimes.OnSlotComplete(message.Slot.Slot), rejected, cancellationToken).ConfigureAwait(false);
                    _window.Complete(message.Slot.Slot);
                    await updates.WriteAsync(new StreamItem(null, message.Slot.Slot), cancellationToken).ConfigureAwait(false);
                }

                break;
            case SubscribeUpdate.UpdateOneofOneofCase.Ping:
                // Answer with a ping of our own: that is what keeps the server (and proxies between) from closing us.
                _metrics.UpstreamMessage(Kind, "ping");
                await call.RequestStream.WriteAsync(Ping(), cancellationToken).ConfigureAwait(false);
                break;
            case SubscribeUpdate.UpdateOneofOneofCase.Pong:
                _metrics.UpstreamMessage(Kind, "pong");
                break;
            case SubscribeUpdate.UpdateOneofOneofCase.Transaction:
                // Transactions mentioning tracked wallets (filter "wallets"): wait for their block time.
                _metrics.UpstreamMessage(Kind, "transaction");
                await HandOnAsync(_blockTimes.OnTransaction(message.Transaction), rejected, cancellationToken).ConfigureAwait(false);
                break;
            case SubscribeUpdate.UpdateOneofOneofCase.BlockMeta:
                _metrics.UpstreamMessage(Kind, "block_meta");
                await HandOnAsync(
                    _blockTimes.OnBlockMeta(message.BlockMeta.Slot, message.BlockMeta.BlockTime?.Timestamp),
                    rejected,
                    cancellationToken).ConfigureAwait(false);
                break;
            default:
                _metrics.UpstreamMessage(Kind, "other");
                break;
        }
    }

    private IReadOnlyList<string>? WalletTokenAccountsOf(IReadOnlyList<Interest> entries) =>
        TokenAccounts?.Of(entries.Where(e => e.Kind == InterestKind.Wallet).Select(e => e.Key).ToHashSet(StringComparer.Ordinal));

    private async ValueTask HandOnAsync(IReadOnlyList<BlockTimeJoin.Released> released, Action<SourceRecordError> rejected, CancellationToken cancellationToken)
    {
        foreach (var (transaction, blockTime) in released)
        {
            TransactionFacts facts;
            try
            {
                facts = TransactionFacts.FromYellowstone(transaction, blockTime);
            }
            catch (MalformedTransactionException e)
            {
                rejected(new SourceRecordError($"{_endpoint} slot {transaction.Slot}", e.Message));
                continue;
            }

            if (Transactions is { } handOn)
            {
                await handOn(facts, cancellationToken).ConfigureAwait(false);
            }
        }
    }

    private AccountUpdate? ToUpdate(SubscribeUpdateAccount message, Action<SourceRecordError> rejected)
    {
        var account = message.Account;
        if (account is null || account.Pubkey.Length != Pubkey.Length || account.Owner.Length != Pubkey.Length
            || (account.HasTxnSignature && account.TxnSignature.Length != 64))
        {
            rejected(new SourceRecordError($"{_endpoint} slot {message.Slot}",
                account is null ? "account update without account" : $"account update with a {account.Pubkey.Length}-byte pubkey, {account.Owner.Length}-byte owner or bad signature"));
            return null;
        }

        if (!_window.TryRecord(message.Slot, account.WriteVersion, account.Pubkey.Span))
        {
            _metrics.Replayed(Kind);
            return null;
        }

        return new AccountUpdate(
            Base58.Encode(account.Pubkey.Span),
            Base58.Encode(account.Owner.Span),
            account.Lamports,
            account.Data.ToByteArray(),
            account.Executable,
            account.RentEpoch,
            message.Slot,
            account.WriteVersion,
            account.HasTxnSignature ? Base58.Encode(account.TxnSignature.Span) : null,
            _time.GetUtcNow());
    }

    private bool IsAtCommitment(SlotStatus status) => _options.Commitment switch
    {
        UpstreamCommitment.Processed => status == SlotStatus.SlotProcessed,
        UpstreamCommitment.Finalized => status == SlotStatus.SlotFinalized,
        _ => status == SlotStatus.SlotConfirmed,
    };

    private async Task RefillAfterAsync(Task previous, ulong fromSlot, ChannelWriter<StreamItem> updates, CancellationToken cancellationToken)
    {
        await previous.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        await RefillGapAsync(fromSlot, updates, cancellationToken).ConfigureAwait(false);
    }

    private async Task RefillGapAsync(ulong fromSlot, ChannelWriter<StreamItem> updates, CancellationToken cancellationToken)
    {
        var entries = _interest.Snapshot();
        if (_reader is null)
        {
            YellowstoneLog.GapNotRefilled(_logger);
            return;
        }

        var count = 0;
        try
        {
            await foreach (var update in _reader.ReadAsync(entries, cancellationToken).ConfigureAwait(false))
            {
                await updates.WriteAsync(new StreamItem(update, 0), cancellationToken).ConfigureAwait(false);
                count++;
            }

            YellowstoneLog.GapRefilled(_logger, count, fromSlot);
        }
        catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            YellowstoneLog.GapRefillFailed(_logger, e);
        }
    }

    /// <summary>Resends the whole request when the interest set changes, after gathering changes for the debounce.</summary>
    private async Task RebuildLoopAsync(DuplexCall<SubscribeRequest, SubscribeUpdate> call, long version, long tokenAccountsVersion, CancellationToken cancellationToken)
    {
        while (true)
        {
            var interestChanged = _interest.WaitForChangeAsync(version, cancellationToken);
            await (TokenAccounts is { } book
                ? Task.WhenAny(interestChanged, book.WaitForChangeAsync(tokenAccountsVersion, cancellationToken)).Unwrap()
                : interestChanged).ConfigureAwait(false);
            if (_options.RebuildDebounce > TimeSpan.Zero)
            {
                await Task.Delay(_options.RebuildDebounce, _time, cancellationToken).ConfigureAwait(false);
            }

            version = _interest.Version;
            tokenAccountsVersion = TokenAccounts?.Version ?? 0;
            var entries = _interest.Snapshot();
            var request = SubscribeRequestBuilder.Build(entries, _options.Commitment, fromSlot: null, WalletTokenAccountsOf(entries));
            await call.RequestStream.WriteAsync(request, cancellationToken).ConfigureAwait(false);
            _metrics.FilterRebuilt(Kind);
            YellowstoneLog.Rebuilt(_logger, entries.Count);
        }
    }

    private async Task PingLoopAsync(DuplexCall<SubscribeRequest, SubscribeUpdate> call, CancellationToken cancellationToken)
    {
        using var timer = new PeriodicTimer(_options.PingInterval, _time);
        while (await timer.WaitForNextTickAsync(cancellationToken).ConfigureAwait(false))
        {
            await call.RequestStream.WriteAsync(Ping(), cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Ends the session when nothing (not even a pong) arrived within the stall timeout.</summary>
    private async Task WatchdogAsync(CancellationTokenSource session, Action markStalled)
    {
        var check = TimeSpan.FromTicks(Math.Max(TimeSpan.TicksPerMillisecond * 50, _options.StallTimeout.Ticks / 4));
        using var timer = new PeriodicTimer(check, _time);
        while (await timer.WaitForNextTickAsync(session.Token).ConfigureAwait(false))
        {
            if (!Volatile.Read(ref _handing) && _time.GetElapsedTime(Interlocked.Read(ref _lastReceivedTicks)) > _options.StallTimeout)
            {
                YellowstoneLog.Stalled(_logger, _endpoint, _options.StallTimeout.TotalSeconds);
                markStalled();
                await session.CancelAsync().ConfigureAwait(false);
                return;
            }
        }
    }

    private async Task CheckpointLoopAsync(CancellationToken cancellationToken)
    {
        using var timer = new PeriodicTimer(_options.CheckpointInterval, _time);
        while (await timer.WaitForNextTickAsync(cancellationToken).ConfigureAwait(false))
        {
            await SaveCheckpointAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    private async Task SaveCheckpointAsync(CancellationToken cancellationToken)
    {
        // Handed on is not yet stored: grains' mailboxes and the write-behind still hold it for a moment. Store the
        // slot handed on one interval ago; resuming early only replays what grains drop as duplicates.
        var slot = _previousTick;
        _previousTick = (ulong)Interlocked.Read(ref _handedOnComplete);
        if (slot == 0 || slot == _savedCheckpoint || _handOffFailed)
        {
            return;
        }

        try
        {
            if (HandOffDurable is { } durable)
            {
                try
                {
                    await durable(cancellationToken).ConfigureAwait(false);
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    _handOffFailed = true;
                    throw;
                }
            }

            await _state.SaveCheckpointAsync(CheckpointName, slot, cancellationToken).ConfigureAwait(false);
            _savedCheckpoint = slot;
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            YellowstoneLog.CheckpointFailed(_logger, e);
        }
    }

    /// <summary>The stored resume slot; when storage cannot say (briefly down), the stream starts at the tip instead of failing.</summary>
    private async Task<ulong?> ReadCheckpointAsync(CancellationToken cancellationToken)
    {
        try
        {
            return await _state.ReadCheckpointAsync(CheckpointName, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            YellowstoneLog.CheckpointFailed(_logger, e);
            return null;
        }
    }

    private SubscribeRequest Ping() => new() { Ping = new SubscribeRequestPing { Id = Interlocked.Increment(ref _pingId) } };

    private void LogSubscribing(IReadOnlyList<Interest> entries, ulong? fromSlot)
    {
        if (!_logger.IsEnabled(LogLevel.Information))
        {
            return;
        }

        YellowstoneLog.Subscribing(_logger, _endpoint,
            entries.Count(e => e.Kind == InterestKind.Account),
            entries.Count(e => e.Kind == InterestKind.Program),
            entries.Count(e => e.Kind == InterestKind.Wallet),
            _options.Commitment,
            fromSlot?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "tip");
    }

    /// <summary>
    /// Takes a slot marker out of the stream: everything before it has been handed on by now, so that slot may be
    /// stored as where a restart resumes. A checkpoint of a slot still sitting in the buffer would skip it on restart.
    /// </summary>
    private AccountUpdate? Unwrap(StreamItem item)
    {
        if (item.Update is null && item.CompleteSlot > (ulong)Interlocked.Read(ref _handedOnComplete))
        {
            Interlocked.Exchange(ref _handedOnComplete, (long)item.CompleteSlot);
        }

        return item.Update;
    }

    /// <summary>An update, or (Update null) the marker of a slot complete at the subscription's commitment.</summary>
    private readonly record struct StreamItem(AccountUpdate? Update, ulong CompleteSlot);

    private readonly record struct SessionEnd(string Reason, string Detail, bool Delivered);
}
