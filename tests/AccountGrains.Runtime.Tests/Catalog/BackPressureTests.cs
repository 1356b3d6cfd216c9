using AccountGrains.Runtime.Tests.TestSupport;

namespace AccountGrains.Runtime.Tests.Catalog;

public sealed class BackPressureTests
{
    private static readonly TimeSpan Guard = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task Senders_to_a_blocked_grain_wait_once_the_mailbox_and_partition_queue_are_full()
    {
        await using var silo = await TestSilo.StartAsync(("PartitionCount", "1"), ("MailboxCapacity", "1"), ("PartitionQueueCapacity", "1"));
        var grain = silo.Grains.Get<ITurnGrain>("slow");
        await grain.BlockAsync();
        await silo.Turns.Entered.Task.WaitAsync(Guard);

        var sends = Enumerable.Range(0, 10).Select(_ => grain.TickAsync()).ToArray();

        // While the turn is blocked exactly three messages fit: one in the mailbox, one in the partition consumer's
        // hand (waiting for the mailbox) and one in the partition queue. Once those three sends are done nothing can
        // move until the turn ends, so the other seven must still be waiting.
        await Task.WhenAll(sends.Take(3)).WaitAsync(Guard);

        // Give a runtime without back-pressure a moment to let the rest through. This cannot make the test flaky:
        // with back-pressure they stay pending however long we wait.
        var rest = sends.Skip(3).ToArray();
        await Task.WhenAny(Task.WhenAll(rest), Task.Delay(TimeSpan.FromMilliseconds(250)));
        rest.Should().OnlyContain(send => !send.IsCompleted);

        silo.Turns.Gate.TrySetResult();
        await Task.WhenAll(sends).WaitAsync(Guard);
        (await grain.GetTurnCountAsync().WaitAsync(Guard)).Should().Be(12, "the blocking turn, ten ticks and this call all ran");
    }
}
