using AccountGrains.Runtime.Catalog;
using AccountGrains.Runtime.Tests.TestSupport;

namespace AccountGrains.Runtime.Tests.Catalog;

public sealed class ShutdownTests
{
    private static readonly TimeSpan Guard = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task Stopping_the_host_runs_accepted_messages_and_deactivates_every_activation()
    {
        await using var silo = await TestSilo.StartAsync(("PartitionCount", "4"));
        var busy = silo.Grains.Get<ITurnGrain>("busy");
        await busy.BlockAsync();
        await silo.Turns.Entered.Task.WaitAsync(Guard);
        for (var i = 0; i < 20; i++)
        {
            await busy.TickAsync();
        }

        var quiet = Enumerable.Range(0, 5).Select(i => $"quiet-{i}").ToArray();
        foreach (var key in quiet)
        {
            await silo.Grains.Get<ITurnGrain>(key).TickAsync();
            await silo.Grains.Get<ICounterGrain>(key).IncrementAsync();
            await silo.Grains.Get<ICounterGrain>(key).IncrementAsync();
        }

        var stopping = silo.StopAsync();
        stopping.IsCompleted.Should().BeFalse("a turn that was accepted is still blocked");
        silo.Turns.Gate.TrySetResult();
        await stopping;

        var expected = quiet.Select(k => (k, DeactivationReason.Shutdown, 1)).Append(("busy", DeactivationReason.Shutdown, 21));
        silo.Turns.Deactivations.Should().BeEquivalentTo(expected, "every activation deactivates after its accepted turns ran");
        silo.Counters.DeactivationLog.Should().BeEquivalentTo(quiet.Select(k => (k, DeactivationReason.Shutdown)));
        quiet.Select(k => silo.Counters.Saved[k]).Should().OnlyContain(count => count == 2);
        silo.Catalog.ActivationCount.Should().Be(0);
    }

    [Fact]
    public async Task A_message_sent_after_the_silo_stopped_fails_instead_of_vanishing()
    {
        await using var silo = await TestSilo.StartAsync(("PartitionCount", "2"), ("PartitionQueueCapacity", "1"));
        await silo.Grains.Get<ICounterGrain>("before").IncrementAsync();
        await silo.StopAsync();

        var oneWay = async () => await silo.Grains.Get<ICounterGrain>("after").IncrementAsync().WaitAsync(Guard);
        var call = async () => await silo.Grains.Get<ICounterGrain>("after").GetAsync().WaitAsync(Guard);
        await oneWay.Should().ThrowAsync<InvalidOperationException>().WithMessage("*not accepting messages*");
        await call.Should().ThrowAsync<InvalidOperationException>().WithMessage("*not accepting messages*");
    }
}
