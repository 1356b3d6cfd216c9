using System.Collections.Concurrent;
using AccountGrains.Client.Cluster;
using AccountGrains.Client.Tests.Support;
using Microsoft.Extensions.Logging.Abstractions;

namespace AccountGrains.Client.Tests;

/// <summary>The ordering and pacing rules of one subscription, fed by hand (no cluster).</summary>
public sealed class StreamSubscriptionTests
{
    private static readonly string Pubkey = Accounts.NewPubkey();

    private static (StreamSubscription Subscription, ConcurrentQueue<(string Pubkey, StreamToken Token)> Seen) Start(
        bool snapshot = true, int maxQueued = 1000, Func<AccountState, ValueTask>? handler = null, CapturingLogger? log = null)
    {
        var seen = new ConcurrentQueue<(string, StreamToken)>();
        var subscription = new StreamSubscription(
            snapshot ? StreamId.ForAccount(Pubkey) : StreamId.ForProgram(Accounts.SystemProgram),
            handler ?? (s =>
            {
                seen.Enqueue((s.Pubkey, s.Token));
                return ValueTask.CompletedTask;
            }),
            snapshot,
            maxQueued,
            log ?? (Microsoft.Extensions.Logging.ILogger)NullLogger.Instance);
        return (subscription, seen);
    }

    private static StreamToken T(ulong slot, ulong writeVersion) => new(slot, writeVersion);

    [Fact]
    public async Task Snapshot_goes_first_and_only_newer_states_that_arrived_meanwhile_follow_it()
    {
        var (subscription, seen) = Start();
        await using var _ = subscription;

        subscription.Offer(Accounts.State(Pubkey, 9, 0));  // older than the snapshot
        subscription.Offer(Accounts.State(Pubkey, 12, 0)); // newer
        subscription.Offer(Accounts.State(Pubkey, 11, 0)); // arrived out of order, newer than the snapshot
        await Task.Delay(50);
        seen.Should().BeEmpty("nothing is delivered before the snapshot");

        subscription.Start(Accounts.State(Pubkey, 10, 0));

        await Waits.UntilAsync(() => seen.Count == 3, "the snapshot and two newer states");
        seen.Select(s => s.Token).Should().Equal(T(10, 0), T(11, 0), T(12, 0));
        subscription.Dropped.Should().Be(1);
    }

    [Fact]
    public async Task Stale_and_duplicate_states_are_never_delivered_after_a_newer_one()
    {
        var (subscription, seen) = Start();
        await using var _ = subscription;
        subscription.Start(null);

        foreach (var (slot, version) in new (ulong, ulong)[] { (5, 1), (5, 1), (5, 0), (6, 0), (4, 9), (6, 0), (6, 1), (7, 0) })
        {
            subscription.Offer(Accounts.State(Pubkey, slot, version));
        }

        await Waits.UntilAsync(() => seen.Count == 4, "four new states");
        await Task.Delay(50);
        seen.Select(s => s.Token).Should().Equal(T(5, 1), T(6, 0), T(6, 1), T(7, 0));
        subscription.Dropped.Should().Be(4);
        subscription.Delivered.Should().Be(4);
    }

    [Fact]
    public async Task Unknown_account_delivers_nothing_until_its_first_state()
    {
        var (subscription, seen) = Start();
        await using var _ = subscription;

        subscription.Start(null);
        await Task.Delay(50);
        seen.Should().BeEmpty();

        subscription.Offer(Accounts.State(Pubkey, 1, 0));
        await Waits.UntilAsync(() => seen.Count == 1, "the first state");
    }

    [Fact]
    public async Task Program_subscription_orders_each_account_on_its_own()
    {
        var (subscription, seen) = Start(snapshot: false);
        await using var _ = subscription;
        var (a, b) = (Accounts.NewPubkey(), Accounts.NewPubkey());

        subscription.Offer(Accounts.State(a, 10, 0));
        subscription.Offer(Accounts.State(b, 5, 0));  // older than a's, but b's first: delivered
        subscription.Offer(Accounts.State(a, 9, 0));  // stale for a
        subscription.Offer(Accounts.State(b, 5, 0));  // duplicate for b
        subscription.Offer(Accounts.State(b, 6, 0));

        await Waits.UntilAsync(() => seen.Count == 3, "three states");
        await Task.Delay(50);
        seen.Should().Equal((a, T(10, 0)), (b, T(5, 0)), (b, T(6, 0)));
        subscription.Dropped.Should().Be(2);
    }

    [Fact]
    public async Task A_slow_handler_skips_intermediate_states_but_ends_at_the_newest_of_every_account()
    {
        var gate = new TaskCompletionSource();
        var seen = new ConcurrentQueue<(string, StreamToken)>();
        var log = new CapturingLogger();
        var (subscription, _) = Start(snapshot: false, maxQueued: 10, log: log, handler: async s =>
        {
            await gate.Task;
            seen.Enqueue((s.Pubkey, s.Token));
        });
        await using var _ = subscription;
        var (a, b) = (Accounts.NewPubkey(), Accounts.NewPubkey());

        for (ulong slot = 1; slot <= 100; slot++)
        {
            subscription.Offer(Accounts.State(a, slot, 0));
            subscription.Offer(Accounts.State(b, slot, 1));
        }

        gate.SetResult();
        await Waits.UntilAsync(() => seen.Contains((a, T(100, 0))) && seen.Contains((b, T(100, 1))), "the newest states");
        subscription.Skipped.Should().BeGreaterThan(0);
        (subscription.Delivered + subscription.Skipped).Should().Be(200);
        foreach (var key in new[] { a, b })
        {
            seen.Where(s => s.Item1 == key).Select(s => s.Item2).Should().BeInAscendingOrder().And.OnlyHaveUniqueItems();
        }

        log.Lines.Should().Contain(l => l.Contains("fell", StringComparison.Ordinal) && l.Contains("behind", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_failing_handler_is_logged_and_gets_the_next_state()
    {
        var seen = new ConcurrentQueue<StreamToken>();
        var log = new CapturingLogger();
        var (subscription, _) = Start(log: log, handler: s =>
        {
            seen.Enqueue(s.Token);
            return s.Slot == 1 ? throw new InvalidOperationException("handler bug") : ValueTask.CompletedTask;
        });
        await using var _ = subscription;

        subscription.Start(Accounts.State(Pubkey, 1, 0));
        subscription.Offer(Accounts.State(Pubkey, 2, 0));

        await Waits.UntilAsync(() => seen.Count == 2, "both states");
        log.Lines.Should().Contain(l => l.Contains("handler bug", StringComparison.Ordinal) && l.StartsWith("Warning", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Disposing_stops_delivery_and_ends_the_broker_side()
    {
        var (subscription, seen) = Start();
        var upstream = new Upstream();
        await subscription.AttachAsync(upstream);
        subscription.Start(Accounts.State(Pubkey, 1, 0));
        await Waits.UntilAsync(() => seen.Count == 1, "the snapshot");

        await subscription.DisposeAsync();
        subscription.Offer(Accounts.State(Pubkey, 2, 0));
        await Task.Delay(50);

        seen.Should().HaveCount(1);
        upstream.Disposed.Should().Be(1);
        await subscription.DisposeAsync();
        upstream.Disposed.Should().Be(1, "disposing twice ends the broker side once");
    }

    [Fact]
    public async Task A_handler_may_dispose_its_own_subscription()
    {
        StreamSubscription? self = null;
        var disposed = new TaskCompletionSource();
        var (subscription, _) = Start(handler: async _ =>
        {
            await self!.DisposeAsync();
            disposed.SetResult();
        });
        self = subscription;

        subscription.Start(Accounts.State(Pubkey, 1, 0));

        await disposed.Task.OrHang();
        await subscription.DisposeAsync().AsTask().OrHang();
    }

    [Fact]
    public async Task Broker_side_attached_after_dispose_is_ended_at_once()
    {
        var (subscription, _) = Start();
        await subscription.DisposeAsync();
        var upstream = new Upstream();

        await subscription.AttachAsync(upstream);

        upstream.Disposed.Should().Be(1);
    }

    private sealed class Upstream : IAsyncDisposable
    {
        private int _disposed;

        public int Disposed => _disposed;

        public ValueTask DisposeAsync()
        {
            Interlocked.Increment(ref _disposed);
            return ValueTask.CompletedTask;
        }
    }
}
