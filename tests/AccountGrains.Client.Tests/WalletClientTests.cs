using System.Collections.Concurrent;
using AccountGrains.Client.Cluster;
using AccountGrains.Client.Tests.Support;

namespace AccountGrains.Client.Tests;

/// <summary>
/// The client's wallet calls go to the wallet grains: tracking with trackers, the view, activity and wallet
/// subscriptions, over an embedded silo (wallet events over RabbitMQ are not written yet, so not over the cluster).
/// </summary>
public sealed class WalletClientTests : IAsyncLifetime
{
    private EmbeddedSilo _silo = null!;
    private AccountGrainsClusterClient _client = null!;

    public async Task InitializeAsync()
    {
        _silo = await EmbeddedSilo.StartAsync();
        _client = TestClients.Create(_silo.Grains, _silo.Streams);
    }

    public async Task DisposeAsync()
    {
        await _client.DisposeAsync();
        await _silo.DisposeAsync();
    }

    [Fact]
    public async Task Tracking_goes_through_the_wallet_grain_with_trackers_and_untracking_ends_it()
    {
        var wallet = Accounts.NewPubkey();
        var ingest = _silo.Grains.Get<IGeyserIngestGrain>(IGeyserIngestGrain.DefaultKey);

        (await _client.TrackWalletAsync(wallet)).Should().BeTrue();
        (await _client.TrackWalletAsync(wallet)).Should().BeFalse("it is tracked already");
        var both = await _client.TrackWalletAsync(wallet, new WalletTrackRequest("billing", []));

        both.IsTracked.Should().BeTrue();
        both.Trackers.Should().BeEquivalentTo(AccountGrainsClusterClient.DefaultTracker, "billing");
        both.Status.Should().Be(WalletStatus.Disconnected, "the ingest is not reading, so the upstream is down");
        both.TrackedSince.Should().NotBeNull();
        (await ingest.GetInterestAsync()).Should().Contain(Interest.Wallet(wallet));
        var tracked = (await _client.GetTrackedAsync()).Should().ContainSingle(w => w.Address == wallet).Subject;
        tracked.Trackers.Should().BeEquivalentTo(AccountGrainsClusterClient.DefaultTracker, "billing");
        tracked.Status.Should().Be(WalletStatus.Disconnected);

        var one = await _client.UntrackWalletAsync(wallet, "billing");
        one.Trackers.Should().Equal(AccountGrainsClusterClient.DefaultTracker);
        (await _client.UntrackWalletAsync(wallet)).Should().BeTrue();
        (await _client.UntrackWalletAsync(wallet)).Should().BeFalse("it is not tracked any more");

        var view = await _client.GetWalletAsync(wallet);
        view.IsTracked.Should().BeFalse();
        view.Status.Should().Be(WalletStatus.Untracked);
        view.Trackers.Should().BeEmpty();
        (await ingest.GetInterestAsync()).Should().NotContain(Interest.Wallet(wallet));
        (await _client.GetTrackedAsync()).Should().NotContain(w => w.Address == wallet);
    }

    [Fact]
    public async Task The_view_has_the_balance_and_activity_count_the_grain_recorded()
    {
        var wallet = Accounts.NewPubkey();
        var grain = _silo.Grains.Get<IWalletGrain>(wallet);
        (await _client.GetWalletAsync(wallet)).Should().BeEquivalentTo(new WalletView { Address = wallet, IsTracked = false });

        await _client.TrackWalletAsync(wallet);
        await grain.ApplyAccountAsync(Accounts.Update(wallet, 30, 0, 2_500_000_000));
        await grain.ApplyActivityAsync(WalletActivities.Received(wallet, 31, 7));
        await Waits.UntilAsync(async () => (await _client.GetWalletAsync(wallet)).ActivityCount == 1, "the activity recorded");

        var view = await _client.GetWalletAsync(wallet);
        view.Lamports.Should().Be(2_500_000_000);
        view.Slot.Should().Be(30);
        view.Holdings.Should().BeEmpty();
        view.ActivityCount.Should().Be(1);
    }

    [Fact]
    public async Task Activity_pages_newest_first()
    {
        var wallet = Accounts.NewPubkey();
        await _client.TrackWalletAsync(wallet);
        var grain = _silo.Grains.Get<IWalletGrain>(wallet);
        var entries = Enumerable.Range(1, 5).Select(i => WalletActivities.Received(wallet, (ulong)i, i)).ToList();
        foreach (var entry in entries)
        {
            await grain.ApplyActivityAsync(entry);
        }

        await Waits.UntilAsync(async () => (await grain.GetAsync()).ActivityCount == 5, "five entries");

        var first = await _client.GetWalletActivityAsync(wallet, limit: 3);
        var rest = await _client.GetWalletActivityAsync(wallet, before: first[^1].Signature, limit: 3);

        first.Select(e => e.Slot).Should().Equal(5UL, 4UL, 3UL);
        rest.Select(e => e.Slot).Should().Equal(2UL, 1UL);
        await FluentActions.Awaiting(() => _client.GetWalletActivityAsync(wallet, limit: 0)).Should().ThrowExactlyAsync<ArgumentOutOfRangeException>();
    }

    [Fact]
    public async Task A_wallet_subscriber_gets_the_state_first_then_each_activity_and_nothing_after_dispose()
    {
        var wallet = Accounts.NewPubkey();
        await _client.TrackWalletAsync(wallet);
        var seen = new ConcurrentQueue<WalletChanged>();
        var subscription = await _client.SubscribeWalletAsync(wallet, change =>
        {
            seen.Enqueue(change);
            return ValueTask.CompletedTask;
        });
        _client.SubscriptionCount.Should().Be(1);
        await Waits.UntilAsync(() => seen.Count == 1, "the current state");
        seen.Single().Activity.Should().BeNull();
        seen.Single().State.IsTracked.Should().BeTrue();

        var grain = _silo.Grains.Get<IWalletGrain>(wallet);
        var activities = Enumerable.Range(1, 3).Select(i => WalletActivities.Received(wallet, (ulong)i, i)).ToList();
        foreach (var activity in activities)
        {
            await grain.ApplyActivityAsync(activity);
        }

        await Waits.UntilAsync(() => seen.Count(c => c.Activity is not null) == 3, "three activity events");
        seen.Where(c => c.Activity is not null).Select(c => c.Activity!.Signature).Should().Equal(activities.Select(a => a.Signature));
        seen.Select(c => c.Sequence).Should().BeInAscendingOrder();

        await subscription.DisposeAsync();
        _client.SubscriptionCount.Should().Be(0);
        var before = seen.Count;
        await grain.ApplyActivityAsync(WalletActivities.Received(wallet, 9, 9));
        await Waits.UntilAsync(async () => (await grain.GetAsync()).ActivityCount == 4, "the fourth entry");
        seen.Should().HaveCount(before, "a disposed subscription gets nothing");
    }

    [Fact]
    public async Task After_a_reconnect_a_wallet_subscriber_gets_the_current_state_again()
    {
        var wallet = Accounts.NewPubkey();
        await _client.TrackWalletAsync(wallet);
        var seen = new ConcurrentQueue<WalletChanged>();
        await using var subscription = await _client.SubscribeWalletAsync(wallet, change =>
        {
            seen.Enqueue(change);
            return ValueTask.CompletedTask;
        });
        await Waits.UntilAsync(() => seen.Count == 1, "the current state");

        _silo.Streams.Pause();
        await _silo.Grains.Get<IWalletGrain>(wallet).TrackAsync(new WalletTrackRequest("while-away", []));
        seen.Should().HaveCount(1, "the event was lost");
        await _silo.Streams.ReconnectAsync();

        await Waits.UntilAsync(() => seen.Count == 2, "the re-read");
        seen.Last().State.Trackers.Should().Contain("while-away");
        seen.Last().Activity.Should().BeNull();
    }

    [Fact]
    public async Task Invalid_addresses_are_refused_before_anything_is_sent()
    {
        foreach (var call in new Func<Task>[]
        {
            () => _client.TrackWalletAsync("abc", new WalletTrackRequest("x", [])),
            () => _client.UntrackWalletAsync("abc", "x"),
            () => _client.GetWalletActivityAsync("abc"),
            () => _client.SubscribeWalletAsync("abc", _ => ValueTask.CompletedTask),
        })
        {
            (await FluentActions.Awaiting(call).Should().ThrowExactlyAsync<ArgumentException>()).Which.ParamName.Should().Be("address");
        }

        _client.SubscriptionCount.Should().Be(0);
    }
}
