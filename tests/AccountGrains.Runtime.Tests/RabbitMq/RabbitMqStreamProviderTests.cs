using System.Collections.Concurrent;
using AccountGrains.Runtime.Streams;
using AccountGrains.Runtime.Tests.Messaging.Wire;
using AccountGrains.Runtime.Tests.TestSupport;
using AccountGrains.Runtime.Transport.RabbitMq;
using AccountGrains.Testing;
using Microsoft.Extensions.Logging.Abstractions;

namespace AccountGrains.Runtime.Tests.RabbitMq;

/// <summary>
/// Wallet and account events through <see cref="RabbitMqStreamProvider"/> on a real broker, between two members: each
/// its own connection and provider on one events exchange, as two processes of a cluster are.
/// </summary>
[Collection(RabbitMqTestGroup.Name)]
public sealed class RabbitMqStreamProviderTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    private static readonly StreamId Wallet = StreamId.ForWallet(WireSamples.Wallet);

    private static WalletChanged Change(long sequence) => WireSamples.WalletChange(sequence, withActivity: sequence % 2 == 0);

    private static AccountChanged AccountChange(ulong slot) => new(WireSamples.State() with { Slot = slot, WriteVersion = 1 });

    [RabbitMqFact]
    public async Task Wallet_events_of_one_member_reach_the_wallet_subscribers_of_both_in_order()
    {
        await using var cluster = await TwoMembers.StartAsync();
        var (first, second) = (cluster.Subscriber, cluster.Publisher);
        var atFirst = new ConcurrentQueue<WalletChanged>();
        var atSecond = new ConcurrentQueue<WalletChanged>();
        await using var s1 = await first.Streams.SubscribeWalletAsync(Wallet, Collect(atFirst));
        await using var s2 = await second.Streams.SubscribeWalletAsync(Wallet, Collect(atSecond));

        for (var sequence = 0; sequence < 20; sequence++)
        {
            await second.Streams.PublishAsync(Wallet, Change(sequence));
        }

        await Eventually.TrueAsync(() => atFirst.Count == 20 && atSecond.Count == 20, "20 events at each member", Patience);
        atFirst.Select(c => c.Sequence).Should().Equal(Enumerable.Range(0, 20).Select(i => (long)i));
        atSecond.Select(c => c.Sequence).Should().Equal(Enumerable.Range(0, 20).Select(i => (long)i));
        atFirst.Should().AllSatisfy(c => c.Address.Should().Be(WireSamples.Wallet));
        atFirst.Where(c => c.Activity is not null).Should().HaveCount(10);
        atFirst.Last().Should().BeEquivalentTo(Change(19), WireSamples.ByMembers);
        atFirst.First().Should().BeEquivalentTo(Change(0), WireSamples.ByMembers);
        first.Streams.PublishFailures.Should().Be(0);
    }

    [RabbitMqFact]
    public async Task Account_and_wallet_handlers_on_one_key_each_get_only_their_own_kind()
    {
        await using var cluster = await TwoMembers.StartAsync();
        var (subscriber, publisher) = (cluster.Subscriber, cluster.Publisher);
        var wallets = new ConcurrentQueue<WalletChanged>();
        var accounts = new ConcurrentQueue<AccountChanged>();
        await using var walletSubscription = await subscriber.Streams.SubscribeWalletAsync(Wallet, Collect(wallets));
        await using var accountSubscription = await subscriber.Streams.SubscribeAsync(Wallet, Collect(accounts));

        await publisher.Streams.PublishAsync(Wallet, Change(1));
        await publisher.Streams.PublishAsync(Wallet, AccountChange(100));
        await publisher.Streams.PublishAsync(Wallet, Change(2));
        await publisher.Streams.PublishAsync(Wallet, AccountChange(101));

        await Eventually.TrueAsync(() => wallets.Count == 2 && accounts.Count == 2, "two events of each kind", Patience);
        await Task.Delay(300);
        wallets.Select(c => c.Sequence).Should().Equal(1, 2);
        accounts.Select(c => c.State.Slot).Should().Equal(100UL, 101UL);
        subscriber.Streams.EventsOfAnotherKindDropped.Should().Be(0);
    }

    [RabbitMqFact]
    public async Task An_event_of_the_other_kind_on_a_stream_is_logged_and_dropped_and_dispatch_goes_on()
    {
        var log = new CapturingLogger();
        await using var cluster = await TwoMembers.StartAsync(log);
        var (subscriber, publisher) = (cluster.Subscriber, cluster.Publisher);
        var account = StreamId.ForAccount(WireSamples.Usdc);
        var wallets = new ConcurrentQueue<WalletChanged>();
        var accounts = new ConcurrentQueue<AccountChanged>();
        await using var walletSubscription = await subscriber.Streams.SubscribeWalletAsync(Wallet, Collect(wallets));
        await using var accountSubscription = await subscriber.Streams.SubscribeAsync(account, Collect(accounts));

        await publisher.Streams.PublishAsync(Wallet, AccountChange(7)); // an account event where only wallet handlers listen
        await publisher.Streams.PublishAsync(account, Change(7)); // and the other way round
        await publisher.Streams.PublishAsync(Wallet, Change(8));
        await publisher.Streams.PublishAsync(account, AccountChange(8));

        await Eventually.TrueAsync(() => wallets.Count == 1 && accounts.Count == 1, "the event of the right kind on each stream", Patience);
        await Task.Delay(300);
        wallets.Select(c => c.Sequence).Should().Equal(8);
        accounts.Select(c => c.State.Slot).Should().Equal(8UL);
        subscriber.Streams.EventsOfAnotherKindDropped.Should().Be(2);
        log.Lines.Should().Contain(l => l.Contains($"An event on {Wallet} has subscribers, but none of them takes AccountChanged", StringComparison.Ordinal));
        log.Lines.Should().Contain(l => l.Contains($"An event on {account} has subscribers, but none of them takes WalletChanged", StringComparison.Ordinal));
    }

    [RabbitMqFact]
    public async Task Duplicate_and_older_sequences_are_dropped_per_subscription()
    {
        await using var cluster = await TwoMembers.StartAsync();
        var (subscriber, publisher) = (cluster.Subscriber, cluster.Publisher);
        var early = new ConcurrentQueue<long>();
        var late = new ConcurrentQueue<long>();
        await using var earlySubscription = await subscriber.Streams.SubscribeWalletAsync(Wallet, c => Record(early, c.Sequence));

        foreach (var sequence in new long[] { 1, 2, 2, 1, 3, 0, 4 })
        {
            await publisher.Streams.PublishAsync(Wallet, Change(sequence));
        }

        await Eventually.TrueAsync(() => early.Contains(4), "the newest event", Patience);
        early.Should().Equal(1, 2, 3, 4);
        await Eventually.TrueAsync(() => subscriber.Streams.StaleWalletEventsDropped == 3, "three stale events counted", Patience);

        // A new subscription has seen nothing: it takes 4 again, the first one drops it.
        await using var lateSubscription = await subscriber.Streams.SubscribeWalletAsync(Wallet, c => Record(late, c.Sequence));
        await publisher.Streams.PublishAsync(Wallet, Change(4));
        await publisher.Streams.PublishAsync(Wallet, Change(5));

        await Eventually.TrueAsync(() => late.Contains(5) && early.Contains(5), "5 at both", Patience);
        early.Should().Equal(1, 2, 3, 4, 5);
        late.Should().Equal(4, 5);
        subscriber.Streams.StaleWalletEventsDropped.Should().Be(4);
    }

    [RabbitMqFact]
    public async Task Unsubscribing_stops_delivery_and_the_last_one_unbinds_the_stream()
    {
        await using var cluster = await TwoMembers.StartAsync();
        var (subscriber, publisher) = (cluster.Subscriber, cluster.Publisher);
        var marker = StreamId.ForAccount(WireSamples.Usdc);
        var markers = new ConcurrentQueue<AccountChanged>();
        await using var markerSubscription = await subscriber.Streams.SubscribeAsync(marker, Collect(markers));
        var kept = new ConcurrentQueue<long>();
        var dropped = new ConcurrentQueue<long>();
        await using var keptSubscription = await subscriber.Streams.SubscribeWalletAsync(Wallet, c => Record(kept, c.Sequence));
        var droppedSubscription = await subscriber.Streams.SubscribeWalletAsync(Wallet, c => Record(dropped, c.Sequence));

        await publisher.Streams.PublishAsync(Wallet, Change(1));
        await Eventually.TrueAsync(() => kept.Count == 1 && dropped.Count == 1, "1 at both subscriptions", Patience);

        await droppedSubscription.DisposeAsync();
        await publisher.Streams.PublishAsync(Wallet, Change(2));
        await Eventually.TrueAsync(() => kept.Contains(2), "2 at the subscription kept", Patience);

        await keptSubscription.DisposeAsync();
        subscriber.Streams.StreamCount.Should().Be(1, "only the marker stream is followed");
        await publisher.Streams.PublishAsync(Wallet, Change(3));
        await publisher.Streams.PublishAsync(marker, AccountChange(1)); // after 3 on the same channel and queue

        await Eventually.TrueAsync(() => markers.Count == 1, "the marker event", Patience);
        kept.Should().Equal(1, 2);
        dropped.Should().Equal(1);
    }

    [RabbitMqFact]
    public async Task After_a_reconnect_wallet_subscriptions_are_back_Resubscribed_is_raised_and_seen_sequences_stay_dropped()
    {
        await using var cluster = await TwoMembers.StartAsync(subscriberThroughProxy: true);
        var (subscriber, publisher, proxy) = (cluster.Subscriber, cluster.Publisher, cluster.Proxy!);
        var resubscribed = 0;
        subscriber.Streams.Resubscribed += () =>
        {
            Interlocked.Increment(ref resubscribed);
            return Task.CompletedTask;
        };
        var received = new ConcurrentQueue<long>();
        await using var subscription = await subscriber.Streams.SubscribeWalletAsync(Wallet, c => Record(received, c.Sequence));
        await publisher.Streams.PublishAsync(Wallet, Change(5));
        await Eventually.TrueAsync(() => received.Count == 1, "the event before the break", Patience);

        proxy.Break();
        await Eventually.TrueAsync(() => !subscriber.Connection.IsOpen, "the connection lost", Patience);
        proxy.Restore();
        await Eventually.TrueAsync(() => Volatile.Read(ref resubscribed) == 1, "Resubscribed raised", Patience);

        await publisher.Streams.PublishAsync(Wallet, Change(5)); // seen before the break
        await publisher.Streams.PublishAsync(Wallet, Change(6));
        await Eventually.TrueAsync(() => received.Contains(6), "an event after the reconnect", Patience);
        received.Should().Equal(5, 6);
    }

    private static Func<T, ValueTask> Collect<T>(ConcurrentQueue<T> into) => e =>
    {
        into.Enqueue(e);
        return ValueTask.CompletedTask;
    };

    private static ValueTask Record(ConcurrentQueue<long> into, long sequence)
    {
        into.Enqueue(sequence);
        return ValueTask.CompletedTask;
    }

    /// <summary>One cluster member's side of the events exchange: its own connection, bus and provider.</summary>
    private sealed record Member(RabbitMqConnection Connection, EventBus Bus, RabbitMqStreamProvider Streams) : IAsyncDisposable
    {
        public static async Task<Member> JoinAsync(RabbitMqOptions options, CapturingLogger? log = null)
        {
            using var timeout = new CancellationTokenSource(Patience);
            var connection = await RabbitMqConnection.ConnectAsync(options, cancellationToken: timeout.Token);
            var bus = await EventBus.DeclareAsync(connection, timeout.Token);
            var logger = log?.For<RabbitMqStreamProvider>() ?? NullLogger<RabbitMqStreamProvider>.Instance;
            return new Member(connection, bus, new RabbitMqStreamProvider(bus, logger));
        }

        public async ValueTask DisposeAsync()
        {
            await Streams.DisposeAsync();
            await Bus.DisposeAsync();
            await Connection.DisposeAsync();
        }
    }

    /// <summary>
    /// A test's exchange and two members on it, one that subscribes (logging to the given log, connected through a
    /// proxy the test can cut when asked) and one that publishes.
    /// </summary>
    private sealed class TwoMembers(RabbitMqScope scope, TcpProxy? proxy, Member subscriber, Member publisher) : IAsyncDisposable
    {
        public Member Subscriber => subscriber;

        public Member Publisher => publisher;

        public TcpProxy? Proxy => proxy;

        public static async Task<TwoMembers> StartAsync(CapturingLogger? log = null, bool subscriberThroughProxy = false)
        {
            var scope = await RabbitMqScope.StartAsync(RabbitMqQueueType.Classic);
            await scope.EventsAsync();
            var proxy = subscriberThroughProxy ? scope.ProxyToBroker() : null;
            var subscriber = await Member.JoinAsync(proxy is null ? scope.Options : scope.OptionsThrough(proxy), log);
            var publisher = await Member.JoinAsync(scope.Options);
            return new TwoMembers(scope, proxy, subscriber, publisher);
        }

        public async ValueTask DisposeAsync()
        {
            await subscriber.DisposeAsync();
            await publisher.DisposeAsync();
            if (proxy is not null)
            {
                await proxy.DisposeAsync();
            }

            await scope.DisposeAsync();
        }
    }
}
