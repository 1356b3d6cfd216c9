using AccountGrains.Runtime.Catalog;
using AccountGrains.Runtime.Tests.TestSupport;

namespace AccountGrains.Runtime.Tests.Catalog;

public sealed class ActivationTests
{
    private static readonly TimeSpan Guard = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task A_failing_activation_fails_the_call_and_the_next_call_activates_again()
    {
        await using var silo = await TestSilo.StartAsync();
        silo.Counters.ActivationFaults["broken"] = "state could not be loaded";
        var grain = silo.Grains.Get<ICounterGrain>("broken");

        var call = () => grain.IncrementAndGetAsync().WaitAsync(Guard);
        var failure = (await call.Should().ThrowAsync<GrainActivationException>()).Which;

        failure.GrainId.Should().Be(new GrainId("test-counter", "broken"));
        failure.InnerException.Should().BeOfType<InvalidOperationException>().Which.Message.Should().Be("state could not be loaded");

        silo.Counters.ActivationFaults.TryRemove("broken", out _);
        (await grain.IncrementAndGetAsync().WaitAsync(Guard)).Should().Be(1);
        silo.Counters.Activations.Should().Be(1);
        silo.Counters.Deactivations.Should().Be(0, "an activation that never activated is not deactivated");
    }

    [Fact]
    public async Task Every_caller_waiting_on_a_cancelled_activation_gets_a_GrainActivationException()
    {
        await using var silo = await TestSilo.StartAsync(("MailboxCapacity", "1"));
        silo.Counters.ActivationFaults["cancelled"] = "cancel";
        var grain = silo.Grains.Get<ICounterGrain>("cancelled");

        var calls = Enumerable.Range(0, 20).Select(_ => grain.IncrementAndGetAsync()).ToArray();
        foreach (var call in calls)
        {
            var act = () => call.WaitAsync(Guard);
            (await act.Should().ThrowAsync<GrainActivationException>()).Which.InnerException.Should().BeOfType<OperationCanceledException>();
        }

        silo.Counters.ActivationFaults.TryRemove("cancelled", out _);
        (await grain.IncrementAndGetAsync().WaitAsync(Guard)).Should().Be(1);
    }

    [Fact]
    public async Task An_idle_activation_is_collected_and_the_next_call_gets_a_fresh_instance_with_the_saved_state()
    {
        await using var silo = await TestSilo.StartAsync();
        var grain = silo.Grains.Get<ICounterGrain>("idle");
        for (var i = 0; i < 3; i++)
        {
            await grain.IncrementAndGetAsync();
        }

        var before = await grain.GetInstanceIdAsync();
        silo.Catalog.CollectIdle(TimeSpan.FromHours(1)).Should().Be(0, "the grain ran a turn just now");

        // The caller gets its response just before the turn's bookkeeping ends, so the first try may find it busy.
        var collected = 0;
        await Eventually.TrueAsync(() => (collected += silo.Catalog.CollectIdle(TimeSpan.Zero)) >= 1, "the grain is collected");
        await silo.Counters.DeactivatedAsync("idle").WaitAsync(Guard);
        await Eventually.TrueAsync(() => silo.Catalog.ActivationCount == 0, "the activation leaves the catalog");

        collected.Should().Be(1);
        silo.Counters.DeactivationLog.Should().Equal(("idle", DeactivationReason.Idle));
        silo.Counters.Saved["idle"].Should().Be(3);

        (await grain.GetInstanceIdAsync().WaitAsync(Guard)).Should().NotBe(before);
        (await grain.IncrementAndGetAsync()).Should().Be(4);
        silo.Counters.Activations.Should().Be(2);
    }

    [Fact]
    public async Task The_collector_deactivates_grains_idle_past_the_idle_timeout()
    {
        await using var silo = await TestSilo.StartAsync(("IdleTimeout", "00:00:00.050"), ("CollectionInterval", "00:00:00.020"));
        var grain = silo.Grains.Get<ICounterGrain>("collected-by-timer");

        await grain.IncrementAndGetAsync();
        await silo.Counters.DeactivatedAsync("collected-by-timer").WaitAsync(Guard);

        silo.Counters.Saved["collected-by-timer"].Should().Be(1);
        silo.Counters.DeactivationLog.Should().Contain(("collected-by-timer", DeactivationReason.Idle));
    }

    [Fact]
    public async Task A_kept_alive_grain_is_not_collected_when_idle_but_is_deactivated_at_shutdown()
    {
        await using var silo = await TestSilo.StartAsync();
        var pinned = silo.Grains.Get<IPinnedGrain>("pinned");
        var ordinary = silo.Grains.Get<ICounterGrain>("ordinary");
        var first = await pinned.GetInstanceIdAsync();
        await ordinary.IncrementAndGetAsync();

        var collected = 0;
        await Eventually.TrueAsync(() => (collected += silo.Catalog.CollectIdle(TimeSpan.Zero)) >= 1, "the ordinary grain is collected");
        await silo.Counters.DeactivatedAsync("ordinary").WaitAsync(Guard);
        collected += silo.Catalog.CollectIdle(TimeSpan.Zero);

        collected.Should().Be(1, "only the ordinary grain may be collected");
        silo.Turns.Deactivations.Should().BeEmpty();
        (await pinned.GetInstanceIdAsync()).Should().Be(first);
        await silo.StopAsync();

        silo.Turns.Deactivations.Should().Equal(("pinned", DeactivationReason.Shutdown, 0));
    }

    [Fact]
    public async Task No_message_is_lost_while_grains_are_collected_under_load()
    {
        await using var silo = await TestSilo.StartAsync(("PartitionCount", "4"), ("MailboxCapacity", "8"), ("PartitionQueueCapacity", "16"));
        var keys = Enumerable.Range(0, 8).Select(i => $"stress-{i}").ToArray();
        var grains = keys.Select(k => silo.Grains.Get<ICounterGrain>(k)).ToArray();
        const int minRounds = 100;
        const int maxRounds = 20_000;
        const int perRound = 3;
        var collections = 0;
        var rounds = 0;

        // At least minRounds, and on until the collector has deactivated grains mid-stream (on a loaded machine the
        // first hundred rounds can finish before the collector thread runs at all).
        var sending = Task.Run(async () =>
        {
            for (; rounds < minRounds || (Volatile.Read(ref collections) == 0 && rounds < maxRounds); rounds++)
            {
                foreach (var grain in grains)
                {
                    for (var i = 0; i < perRound; i++)
                    {
                        await grain.IncrementAsync();
                    }
                }

                // Now and then wait for one grain's turns, so the others fall idle and get collected mid-stream.
                await grains[rounds % grains.Length].GetAsync();
            }
        });
        var collecting = Task.Run(async () =>
        {
            while (!sending.IsCompleted)
            {
                Interlocked.Add(ref collections, silo.Catalog.CollectIdle(TimeSpan.Zero));
                await Task.Yield();
            }
        });
        await Task.WhenAll(sending, collecting).WaitAsync(TimeSpan.FromSeconds(60));

        foreach (var grain in grains)
        {
            (await grain.GetAsync().WaitAsync(Guard)).Should().Be(rounds * perRound);
        }

        collections.Should().BePositive("the test must actually deactivate grains while messages flow");
        silo.Counters.Deactivations.Should().BePositive();

        await silo.StopAsync();
        foreach (var key in keys)
        {
            silo.Counters.Saved[key].Should().Be(rounds * perRound, "{0} saves its full count at shutdown", key);
        }
    }
}
