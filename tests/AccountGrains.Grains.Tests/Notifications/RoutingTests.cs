using AccountGrains.Grains.Notifications;

namespace AccountGrains.Grains.Tests.Notifications;

public sealed class RoutingTests
{
    [Fact]
    public async Task Global_sinks_get_the_wallets_they_list_or_every_wallet_and_a_sink_listed_twice_gets_it_once()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        await using var harness = await NotificationHarness.StartAsync(o =>
        {
            o.Sinks.Add(new NotificationSinkOptions { Url = receiver.Url("/only-a"), Wallets = [NotificationHarness.WalletA] });
            o.Sinks.Add(new NotificationSinkOptions { Url = receiver.Url("/all") });
        });
        var own = new NotificationSink("webhook", receiver.Url("/own"));

        harness.Dispatcher.Enqueue(TestActivity.Of(NotificationHarness.WalletA, "SigA"), [own, new NotificationSink("webhook", receiver.Url("/all"))]).Should().BeTrue();
        harness.Dispatcher.Enqueue(TestActivity.Of(NotificationHarness.WalletB, "SigB"), []).Should().BeTrue();
        await Waits.UntilAsync(() => receiver.Accepted("/all").Count == 2 && receiver.Accepted("/own").Count == 1, "deliveries");
        await harness.StopAsync();

        receiver.Accepted("/only-a").Select(r => r.Signature).Should().Equal("SigA");
        receiver.Accepted("/all").Select(r => r.Signature).Should().Equal("SigA", "SigB");
        receiver.Accepted("/own").Select(r => r.Signature).Should().Equal("SigA");
    }

    [Fact]
    public async Task A_wallet_sink_of_an_unknown_kind_or_a_relative_url_is_a_dead_letter_not_an_exception()
    {
        await using var harness = await NotificationHarness.StartAsync();

        harness.Dispatcher.Enqueue(TestActivity.Of(NotificationHarness.WalletA, "SigOdd"),
            [new NotificationSink("sms", "https://example.com/x"), new NotificationSink("webhook", "/relative")]).Should().BeFalse();
        await harness.WaitForDeadLettersAsync(2);

        harness.Store.Letters.Select(l => l.LastError).Should().BeEquivalentTo(
            "Kind 'sms' is not known (use 'webhook' or 'discord')", "Url must be an absolute http:// or https:// address");
        harness.Measured("accountgrains.notifications.dead_lettered", "reason", "invalid_sink").Should().Be(2);
    }

    [Fact]
    public async Task Nothing_is_sent_when_notifications_are_off()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        await using var harness = await NotificationHarness.StartAsync(o =>
        {
            o.Enabled = false;
            o.Sinks.Add(new NotificationSinkOptions { Url = receiver.Url("/all") });
        });

        harness.Dispatcher.Enqueue(TestActivity.Of(NotificationHarness.WalletA, "SigOff"), [new NotificationSink("webhook", receiver.Url("/own"))]).Should().BeFalse();
        await harness.StopAsync();

        receiver.Received.Should().BeEmpty();
        harness.Dispatcher.ActiveSinks.Should().Be(0);
        harness.Log.Lines.Should().Contain(l => l.StartsWith("Information 2502", StringComparison.Ordinal));
    }

    [Fact]
    public async Task An_idle_sink_releases_its_queue_and_gets_a_new_one_with_its_next_notification()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        var sink = new NotificationSink("webhook", receiver.Url("/hook"));
        await using var harness = await NotificationHarness.StartAsync(o => o.SinkIdleTimeout = TimeSpan.FromMilliseconds(50));

        harness.Dispatcher.Enqueue(TestActivity.Of(NotificationHarness.WalletA, "SigOne"), [sink]);
        await receiver.WaitForAcceptedAsync("/hook", 1);
        await Waits.UntilAsync(() => harness.Dispatcher.ActiveSinks == 0, "the idle queue to be released");
        harness.Dispatcher.Enqueue(TestActivity.Of(NotificationHarness.WalletA, "SigTwo"), [sink]).Should().BeTrue();
        await receiver.WaitForAcceptedAsync("/hook", 2);

        receiver.Accepted("/hook").Select(r => r.Signature).Should().Equal("SigOne", "SigTwo");
    }
}
