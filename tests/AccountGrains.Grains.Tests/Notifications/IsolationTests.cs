using System.Diagnostics;

namespace AccountGrains.Grains.Tests.Notifications;

public sealed class IsolationTests
{
    [Fact]
    public async Task A_hanging_receiver_delays_neither_another_sink_nor_Enqueue_and_its_backlog_is_dead_lettered_on_shutdown()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        receiver.Always("/stuck", ScriptedAnswer.Hanging);
        var stuck = new NotificationSink("webhook", receiver.Url("/stuck"));
        var healthy = new NotificationSink("discord", receiver.Url("/healthy"));
        await using var harness = await NotificationHarness.StartAsync(o =>
        {
            o.Timeout = TimeSpan.FromMinutes(5);
            o.DrainTimeout = TimeSpan.FromMilliseconds(200);
        });

        var watch = Stopwatch.StartNew();
        for (var i = 0; i < 20; i++)
        {
            harness.Dispatcher.Enqueue(TestActivity.Of(NotificationHarness.WalletA, $"Sig{i}"), [stuck, healthy]).Should().BeTrue();
        }

        watch.Elapsed.Should().BeLessThan(TimeSpan.FromSeconds(5), "Enqueue only queues (the stuck sink holds its request for minutes)");
        await receiver.WaitForAcceptedAsync("/healthy", 20);
        receiver.All("/stuck").Should().ContainSingle("the stuck sink is still on its first notification");

        await harness.StopAsync();

        harness.Store.Letters.Should().HaveCount(20).And.OnlyContain(l => l.Sink == stuck.Id);
        harness.Store.Letters.Single(l => l.Signature == "Sig0").LastError.Should().StartWith("shutdown before delivery");
        harness.Store.Letters.Where(l => l.Signature != "Sig0").Should().OnlyContain(l => l.Attempts == 0 && l.LastError == "not delivered before shutdown");
        harness.Measured("accountgrains.notifications.dead_lettered", "reason", "shutdown").Should().Be(20);
        harness.Log.Lines.Should().Contain(l => l.StartsWith("Warning 2511", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_full_queue_turns_notifications_into_dead_letters_at_once()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        receiver.Script("/hook", ScriptedAnswer.Hanging);
        var sink = new NotificationSink("webhook", receiver.Url("/hook"));
        await using var harness = await NotificationHarness.StartAsync(o =>
        {
            o.QueueCapacity = 2;
            o.Timeout = TimeSpan.FromMilliseconds(500);
        });

        harness.Dispatcher.Enqueue(TestActivity.Of(NotificationHarness.WalletA, "Sig0"), [sink]).Should().BeTrue();
        await Waits.UntilAsync(() => receiver.All("/hook").Count == 1, "the first delivery to hang");
        var accepted = Enumerable.Range(1, 4).Select(i => harness.Dispatcher.Enqueue(TestActivity.Of(NotificationHarness.WalletA, $"Sig{i}"), [sink])).ToList();

        accepted.Should().Equal(true, true, false, false);
        await harness.WaitForDeadLettersAsync(2);
        harness.Store.Letters.Select(l => (l.Signature, l.Attempts, l.LastError)).Should().BeEquivalentTo([("Sig3", 0, "queue full"), ("Sig4", 0, "queue full")]);
        harness.Measured("accountgrains.notifications.dead_lettered", "reason", "queue_full").Should().Be(2);
        harness.Log.Lines.Count(l => l.StartsWith("Warning 2507", StringComparison.Ordinal)).Should().Be(1, "a full queue is reported once, not per notification");

        // The hang times out, the retry and the two queued ones go through.
        await receiver.WaitForAcceptedAsync("/hook", 3);
        receiver.Accepted("/hook").Select(r => r.Signature).Should().Equal("Sig0", "Sig1", "Sig2");
        harness.Measured("accountgrains.notifications.queue.depth").Should().Be(0);
    }

    [Fact]
    public async Task Stopping_delivers_what_is_queued_within_the_drain_timeout_and_refuses_what_comes_after()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        receiver.Script("/hook", new ScriptedAnswer(500), times: 3);
        var sink = new NotificationSink("webhook", receiver.Url("/hook"));
        await using var harness = await NotificationHarness.StartAsync();

        for (var i = 0; i < 10; i++)
        {
            harness.Dispatcher.Enqueue(TestActivity.Of(NotificationHarness.WalletA, $"Sig{i}"), [sink]);
        }

        await harness.StopAsync();

        receiver.Accepted("/hook").Should().HaveCount(10);
        harness.Store.Letters.Should().BeEmpty();
        harness.Dispatcher.Enqueue(TestActivity.Of(NotificationHarness.WalletA, "SigLate"), [sink]).Should().BeFalse();
    }
}
