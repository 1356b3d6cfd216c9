using AccountGrains.Runtime.Tests.TestSupport;

namespace AccountGrains.Runtime.Tests.Catalog;

public sealed class TurnTests
{
    private static readonly TimeSpan Guard = TimeSpan.FromSeconds(20);

    [Fact]
    public async Task Turns_of_one_grain_never_overlap()
    {
        await using var silo = await TestSilo.StartAsync();
        var grain = silo.Grains.Get<ITurnGrain>("one");
        const int callCount = 200;

        var calls = Enumerable.Range(0, callCount).Select(_ => Task.Run(() => grain.EnterAsync())).ToArray();
        await Task.WhenAll(calls).WaitAsync(Guard);

        silo.Turns.EnteredCount.Should().Be(callCount);
        silo.Turns.MaxInside.Should().Be(1);
        silo.Turns.OverlapsSeen.Should().Be(0);
        silo.Catalog.ActivationCount.Should().Be(1);
    }

    [Fact]
    public async Task Different_grains_run_in_parallel()
    {
        await using var silo = await TestSilo.StartAsync();
        var left = silo.Grains.Get<ITurnGrain>("left");
        var right = silo.Grains.Get<ITurnGrain>("right");

        // Each turn waits (up to 10 s, then throws) until both turns are inside at the same time.
        await Task.WhenAll(left.MeetAsync(), right.MeetAsync()).WaitAsync(Guard);

        silo.Turns.BothAtMeeting.Task.IsCompletedSuccessfully.Should().BeTrue();
    }

    [Fact]
    public async Task One_way_calls_from_one_sender_run_in_send_order()
    {
        await using var silo = await TestSilo.StartAsync(("PartitionCount", "4"), ("MailboxCapacity", "4"), ("PartitionQueueCapacity", "4"));
        var first = silo.Grains.Get<ITurnGrain>("first");
        var second = silo.Grains.Get<ITurnGrain>("second");
        const int messages = 1000;

        for (var i = 0; i < messages; i++)
        {
            await first.AppendAsync(i);
            await second.AppendAsync(-i);
        }

        (await first.GetAppendedAsync().WaitAsync(Guard)).Should().Equal(Enumerable.Range(0, messages));
        (await second.GetAppendedAsync().WaitAsync(Guard)).Should().Equal(Enumerable.Range(0, messages).Select(i => -i));
    }

    [Fact]
    public async Task A_throwing_method_fails_its_caller_and_the_grain_keeps_serving()
    {
        await using var silo = await TestSilo.StartAsync();
        var grain = silo.Grains.Get<ITurnGrain>("thrower");
        (await grain.GetTurnCountAsync()).Should().Be(1);

        var asyncThrow = () => grain.ThrowAsync("boom");
        var syncThrow = () => grain.ThrowBeforeReturningTaskAsync("sync boom");
        await asyncThrow.Should().ThrowAsync<InvalidOperationException>().WithMessage("boom");
        await syncThrow.Should().ThrowAsync<ArgumentException>().WithMessage("sync boom*");
        await grain.ThrowOneWayAsync("one-way boom");

        // Same activation, all turns ran: 1 + three throwing turns + this one.
        (await grain.GetTurnCountAsync().WaitAsync(Guard)).Should().Be(5);
        silo.Catalog.ActivationCount.Should().Be(1);
    }
}
