using System.Collections.Concurrent;
using System.Diagnostics;
using System.Threading.Channels;

using AccountGrains.Grpc;
using AccountGrains.Solana;

using Geyser;

using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;

namespace AccountGrains.Testing.FakeYellowstone;

/// <summary>
/// A Yellowstone Geyser server a test scripts, on <see cref="GeyserTestServer"/> (Kestrel, h2c). It behaves like the
/// real one where the ingest depends on it: a Subscribe stream delivers what its latest full request's filters match
/// (account / owner / memcmp / datasize / token_account_state, fields ANDed, values ORed), a ping-only request is
/// answered with a pong and leaves the filters alone, <c>from_slot</c> replays the retained history (OUT_OF_RANGE
/// before the oldest retained slot), and slot updates follow the account writes of their slot. Tests publish writes,
/// complete slots, and break things: drop streams, send garbage, stall, refuse.
/// </summary>
public sealed class FakeYellowstoneServer : IAsyncDisposable
{
    private readonly GeyserTestServer _server;
    private readonly Lock _gate = new();
    private readonly List<(ulong Slot, SubscribeUpdate Update)> _history = [];
    private readonly List<Subscriber> _subscribers = [];
    private readonly ConcurrentQueue<ReceivedRequest> _requests = new();
    private int _streamCount;
    private int _subscribedCount;

    private FakeYellowstoneServer(GeyserTestServer server)
    {
        _server = server;
        server.Handle(GeyserTestServer.Subscribe, SubscribeAsync);
    }

    public Uri Address => _server.HttpAddress;

    /// <summary>Slots older than this cannot be replayed (from_slot below it gets OUT_OF_RANGE). 0: all history.</summary>
    public ulong OldestReplayableSlot { get; set; }

    /// <summary>When set, a Subscribe without this x-token is refused with UNAUTHENTICATED.</summary>
    public string? RequiredToken { get; set; }

    /// <summary>Every request message received on any Subscribe stream, in order, with when it arrived.</summary>
    public IReadOnlyCollection<ReceivedRequest> Requests => _requests;

    /// <summary>Full (filter-setting) requests only.</summary>
    public IReadOnlyList<ReceivedRequest> FilterRequests => [.. _requests.Where(r => !r.IsPingOnly)];

    /// <summary>Subscribe streams opened so far (refused ones included).</summary>
    public int StreamCount => Volatile.Read(ref _streamCount);

    /// <summary>Subscribe streams that got as far as receiving publishes (their first request accepted).</summary>
    public int SubscribedCount => Volatile.Read(ref _subscribedCount);

    public int ActiveStreams
    {
        get
        {
            lock (_gate)
            {
                return _subscribers.Count;
            }
        }
    }

    /// <summary>The x-token headers the Subscribe calls carried.</summary>
    public IReadOnlyList<string?> Tokens => [.. _server.Calls.Where(c => c.Method == GeyserTestServer.Subscribe).Select(c => c.RequestHeaders.GetValueOrDefault("x-token"))];

    public static async Task<FakeYellowstoneServer> StartAsync() => new(await GeyserTestServer.StartAsync());

    /// <summary>An account write at <paramref name="slot"/>: kept for replay and sent to every stream it matches.</summary>
    public void Publish(ulong slot, byte[] pubkey, byte[] owner, ulong lamports, byte[] data, ulong writeVersion, byte[]? txnSignature = null)
    {
        var info = new SubscribeUpdateAccountInfo
        {
            Pubkey = ByteString.CopyFrom(pubkey),
            Owner = ByteString.CopyFrom(owner),
            Lamports = lamports,
            Data = ByteString.CopyFrom(data),
            WriteVersion = writeVersion,
            RentEpoch = ulong.MaxValue,
        };
        if (txnSignature is not null)
        {
            info.TxnSignature = ByteString.CopyFrom(txnSignature);
        }

        Append(slot, new SubscribeUpdate { Account = new SubscribeUpdateAccount { Slot = slot, Account = info } });
    }

    /// <summary>A transaction at its slot: kept for replay and sent to every stream whose transaction filters it matches.</summary>
    public void PublishTransaction(SubscribeUpdateTransaction transaction)
    {
        ArgumentNullException.ThrowIfNull(transaction);
        Append(transaction.Slot, new SubscribeUpdate { Transaction = transaction });
    }

    /// <summary>The block meta of <paramref name="slot"/> (after its transactions, as the real server sends it), with its block time.</summary>
    public void PublishBlockMeta(ulong slot, long blockTime) =>
        Append(slot, new SubscribeUpdate
        {
            BlockMeta = new SubscribeUpdateBlockMeta
            {
                Slot = slot,
                Blockhash = "11111111111111111111111111111111",
                BlockTime = new global::Solana.Storage.ConfirmedBlock.UnixTimestamp { Timestamp = blockTime },
            },
        });

    /// <summary>The slot reached <paramref name="status"/> (sent to streams whose commitment it is).</summary>
    public void CompleteSlot(ulong slot, SlotStatus status = SlotStatus.SlotConfirmed) =>
        Append(slot, new SubscribeUpdate { Slot = new SubscribeUpdateSlot { Slot = slot, Status = status } });

    /// <summary>A server ping to every open stream (the real server pings every 15 s).</summary>
    public void PingAll() => ForEachSubscriber(s => s.Outbox.Writer.TryWrite(Outgoing.Of(new SubscribeUpdate { Ping = new SubscribeUpdatePing() })));

    /// <summary>Resets every open stream (RST_STREAM) as a load balancer restart would.</summary>
    public void DropStreams() => ForEachSubscriber(s => s.Outbox.Writer.TryWrite(Outgoing.Drop));

    /// <summary>Sends bytes that are a valid gRPC frame but not a protobuf message.</summary>
    public void SendGarbage() => ForEachSubscriber(s => s.Outbox.Writer.TryWrite(new Outgoing(null, [0x00, 0x00, 0x00, 0x00, 0x05, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF], false)));

    /// <summary>Stops sending anything (pongs included) on the open streams, which stay open.</summary>
    public void StallStreams() => ForEachSubscriber(s => s.Stalled = true);

    /// <summary>Ends every open stream with <paramref name="code"/>.</summary>
    public void EndStreams(StatusCode code, string message) => ForEachSubscriber(s => s.Outbox.Writer.TryWrite(new Outgoing(null, null, false, (code, message))));

    /// <summary>
    /// Waits until <paramref name="count"/> streams have subscribed: the last of them is then matched against what is
    /// published (and reached by <see cref="DropStreams"/>), not merely opened with its first request still unread.
    /// </summary>
    public async Task WaitForStreamsAsync(int count, TimeSpan? timeout = null)
    {
        var watch = Stopwatch.StartNew();
        while (SubscribedCount < count)
        {
            if (watch.Elapsed > (timeout ?? Waits.Generous))
            {
                throw new TimeoutException($"{SubscribedCount} Subscribe streams subscribed ({StreamCount} opened), expected {count}");
            }

            await Task.Delay(10);
        }
    }

    public ValueTask DisposeAsync()
    {
        ForEachSubscriber(s => s.Outbox.Writer.TryComplete());
        return _server.DisposeAsync();
    }

    private void Append(ulong slot, SubscribeUpdate update)
    {
        update.CreatedAt = Timestamp.FromDateTimeOffset(DateTimeOffset.UtcNow);
        lock (_gate)
        {
            _history.Add((slot, update));
            foreach (var subscriber in _subscribers)
            {
                subscriber.Offer(update);
            }
        }
    }

    private void ForEachSubscriber(Action<Subscriber> action)
    {
        lock (_gate)
        {
            foreach (var subscriber in _subscribers)
            {
                action(subscriber);
            }
        }
    }

    private async Task SubscribeAsync(ServerCall call)
    {
        Interlocked.Increment(ref _streamCount);
        if (RequiredToken is not null && call.RequestHeaders.GetValueOrDefault("x-token") != RequiredToken)
        {
            call.TrailersOnly(StatusCode.Unauthenticated, "x-token is missing or wrong");
            return;
        }

        var first = await call.ReadAsync(SubscribeRequest.Parser);
        if (first is null)
        {
            return;
        }

        _requests.Enqueue(new ReceivedRequest(first, call.ConnectionId, DateTimeOffset.UtcNow));
        var subscriber = new Subscriber(first);
        lock (_gate)
        {
            if (first.HasFromSlot && first.FromSlot < OldestReplayableSlot)
            {
                call.EndWithStatus(StatusCode.OutOfRange, $"from_slot {first.FromSlot} is not available, the oldest is {OldestReplayableSlot}");
                return;
            }

            if (first.HasFromSlot)
            {
                foreach (var (slot, update) in _history)
                {
                    if (slot >= first.FromSlot)
                    {
                        subscriber.Offer(update);
                    }
                }
            }

            _subscribers.Add(subscriber);
            Interlocked.Increment(ref _subscribedCount);
        }

        try
        {
            await call.StartAsync();
            var reading = ReadRequestsAsync(call, subscriber);
            await foreach (var outgoing in subscriber.Outbox.Reader.ReadAllAsync(call.Aborted))
            {
                if (outgoing.Status is { } status)
                {
                    call.EndWithStatus(status.Code, status.Message);
                    return;
                }

                if (outgoing.IsDrop)
                {
                    call.AbortStream();
                    return;
                }

                if (subscriber.Stalled)
                {
                    continue;
                }

                await (outgoing.Raw is { } raw ? call.WriteRawAsync(raw) : call.WriteAsync(outgoing.Update!));
            }

            await reading;
        }
        finally
        {
            lock (_gate)
            {
                _subscribers.Remove(subscriber);
            }
        }
    }

    private async Task ReadRequestsAsync(ServerCall call, Subscriber subscriber)
    {
        try
        {
            while (await call.ReadAsync(SubscribeRequest.Parser) is { } request)
            {
                // The filters apply before the request is listed: a test that saw it in FilterRequests and then
                // publishes must have its write matched against the new filters, not the ones being replaced.
                if (!IsPingOnly(request))
                {
                    lock (_gate)
                    {
                        subscriber.Request = request;
                    }
                }

                _requests.Enqueue(new ReceivedRequest(request, call.ConnectionId, DateTimeOffset.UtcNow));

                if (request.Ping is { } ping && !subscriber.Stalled)
                {
                    subscriber.Outbox.Writer.TryWrite(Outgoing.Of(new SubscribeUpdate { Pong = new SubscribeUpdatePong { Id = ping.Id } }));
                }
            }
        }
        catch (Exception) when (call.Aborted.IsCancellationRequested)
        {
        }
        catch (IOException)
        {
        }
    }

    internal static bool IsPingOnly(SubscribeRequest request) =>
        request.Ping is not null && request.Accounts.Count == 0 && request.Slots.Count == 0 && request.Transactions.Count == 0
        && request.BlocksMeta.Count == 0 && request.Blocks.Count == 0 && !request.HasFromSlot;

    /// <summary>One open stream: its filters and what waits to be written to it.</summary>
    private sealed class Subscriber(SubscribeRequest request)
    {
        public SubscribeRequest Request { get; set; } = request;

        public Channel<Outgoing> Outbox { get; } = Channel.CreateUnbounded<Outgoing>(new UnboundedChannelOptions { SingleReader = true });

        public volatile bool Stalled;

        /// <summary>Queues <paramref name="update"/> with the names of the filters it matches, if any.</summary>
        public void Offer(SubscribeUpdate update)
        {
            var names = FilterMatcher.Match(Request, update);
            if (names.Count > 0)
            {
                var copy = update.Clone();
                copy.Filters.Add(names);
                Outbox.Writer.TryWrite(Outgoing.Of(copy));
            }
        }
    }

    private sealed record Outgoing(SubscribeUpdate? Update, byte[]? Raw, bool IsDrop, (StatusCode Code, string Message)? Status = null)
    {
        public static readonly Outgoing Drop = new(null, null, true);

        public static Outgoing Of(SubscribeUpdate update) => new(update, null, false);
    }
}

/// <summary>A request message as the fake server received it.</summary>
public sealed record ReceivedRequest(SubscribeRequest Request, string ConnectionId, DateTimeOffset ReceivedAt)
{
    public bool IsPingOnly => FakeYellowstoneServer.IsPingOnly(Request);
}

/// <summary>Which of a request's filters an update matches, by Yellowstone's rules.</summary>
public static class FilterMatcher
{
    public static List<string> Match(SubscribeRequest request, SubscribeUpdate update)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(update);
        var names = new List<string>();
        switch (update.UpdateOneofCase)
        {
            case SubscribeUpdate.UpdateOneofOneofCase.Account:
                foreach (var (name, filter) in request.Accounts)
                {
                    if (Matches(filter, update.Account.Account))
                    {
                        names.Add(name);
                    }
                }

                break;
            case SubscribeUpdate.UpdateOneofOneofCase.Slot:
                var commitment = request.HasCommitment ? request.Commitment : CommitmentLevel.Processed;
                foreach (var (name, filter) in request.Slots)
                {
                    if (!filter.FilterByCommitment || (int)update.Slot.Status == (int)commitment)
                    {
                        names.Add(name);
                    }
                }

                break;
            case SubscribeUpdate.UpdateOneofOneofCase.Transaction:
                foreach (var (name, filter) in request.Transactions)
                {
                    if (Matches(filter, update.Transaction.Transaction))
                    {
                        names.Add(name);
                    }
                }

                break;
            case SubscribeUpdate.UpdateOneofOneofCase.BlockMeta:
                names.AddRange(request.BlocksMeta.Keys);
                break;
            default:
                break;
        }

        return names;
    }

    /// <summary>Yellowstone's transaction filter: vote, failed, signature, and account include/exclude/required over every key (loaded ones too).</summary>
    private static bool Matches(SubscribeRequestFilterTransactions filter, SubscribeUpdateTransactionInfo info)
    {
        if ((filter.HasVote && filter.Vote != info.IsVote)
            || (filter.HasFailed && filter.Failed != (info.Meta?.Err is not null))
            || (filter.HasSignature && filter.Signature != Base58.Encode(info.Signature.Span)))
        {
            return false;
        }

        var keys = (info.Transaction?.Message?.AccountKeys ?? [])
            .Concat(info.Meta?.LoadedWritableAddresses ?? [])
            .Concat(info.Meta?.LoadedReadonlyAddresses ?? [])
            .Select(k => Base58.Encode(k.Span))
            .ToHashSet(StringComparer.Ordinal);
        return (filter.AccountInclude.Count == 0 || filter.AccountInclude.Any(keys.Contains))
            && !filter.AccountExclude.Any(keys.Contains)
            && filter.AccountRequired.All(keys.Contains);
    }

    private static bool Matches(SubscribeRequestFilterAccounts filter, SubscribeUpdateAccountInfo account)
    {
        var pubkey = Base58.Encode(account.Pubkey.Span);
        var owner = Base58.Encode(account.Owner.Span);
        if (filter.Account.Count > 0 && !filter.Account.Contains(pubkey))
        {
            return false;
        }

        if (filter.Owner.Count > 0 && !filter.Owner.Contains(owner))
        {
            return false;
        }

        var data = account.Data.Span;
        foreach (var condition in filter.Filters)
        {
            var ok = condition.FilterCase switch
            {
                SubscribeRequestFilterAccountsFilter.FilterOneofCase.Datasize => (ulong)data.Length == condition.Datasize,
                SubscribeRequestFilterAccountsFilter.FilterOneofCase.Memcmp => MemcmpMatches(condition.Memcmp, data),
                SubscribeRequestFilterAccountsFilter.FilterOneofCase.TokenAccountState => data.Length >= 165 && (data.Length == 165 || data[165] == 2),
                _ => false,
            };
            if (!ok)
            {
                return false;
            }
        }

        return true;
    }

    private static bool MemcmpMatches(SubscribeRequestFilterAccountsFilterMemcmp memcmp, ReadOnlySpan<byte> data)
    {
        byte[] expected = memcmp.DataCase switch
        {
            SubscribeRequestFilterAccountsFilterMemcmp.DataOneofCase.Base58 => Base58.Decode(memcmp.Base58),
            SubscribeRequestFilterAccountsFilterMemcmp.DataOneofCase.Bytes => memcmp.Bytes.ToByteArray(),
            SubscribeRequestFilterAccountsFilterMemcmp.DataOneofCase.Base64 => Convert.FromBase64String(memcmp.Base64),
            _ => [],
        };
        return memcmp.Offset + (ulong)expected.Length <= (ulong)data.Length && data.Slice((int)memcmp.Offset, expected.Length).SequenceEqual(expected);
    }
}
