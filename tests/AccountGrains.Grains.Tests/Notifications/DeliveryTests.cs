using System.Diagnostics;
using System.Text.Json;

namespace AccountGrains.Grains.Tests.Notifications;

public sealed class DeliveryTests
{
    private static NotificationSink Hook(WebhookReceiver receiver, string path) => new("webhook", receiver.Url(path));

    [Fact]
    public async Task Server_errors_are_retried_until_delivered_with_the_same_delivery_id()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        receiver.Script("/hook", new ScriptedAnswer(500), times: 2);
        receiver.Script("/hook", new ScriptedAnswer(408));
        await using var harness = await NotificationHarness.StartAsync();

        harness.Dispatcher.Enqueue(TestActivity.Of(NotificationHarness.WalletA, "SigRetry"), [Hook(receiver, "/hook")]).Should().BeTrue();
        await receiver.WaitForAcceptedAsync("/hook", 1);

        var attempts = receiver.All("/hook");
        attempts.Select(r => r.Status).Should().Equal(500, 500, 408, 204);
        attempts.Select(r => r.Header("X-AccountGrains-Delivery")).Distinct().Should().ContainSingle();
        attempts.Select(r => r.Text).Distinct().Should().ContainSingle("every attempt sends the same body");
        harness.Measured("accountgrains.notifications.attempts.failed", "reason", "http_500").Should().Be(2);
        harness.Measured("accountgrains.notifications.delivered").Should().Be(1);
        harness.Count("accountgrains.notifications.delivery.latency").Should().Be(1);
        harness.Store.Letters.Should().BeEmpty();
    }

    [Fact]
    public async Task A_client_error_is_a_dead_letter_at_once_without_retries()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        receiver.Always("/hook", new ScriptedAnswer(400, Body: "{\"message\":\"bad embed\"}"));
        await using var harness = await NotificationHarness.StartAsync(o => o.MaxAttempts = 5);

        harness.Dispatcher.Enqueue(TestActivity.Of(NotificationHarness.WalletA, "SigBad"), [Hook(receiver, "/hook")]);
        await harness.WaitForDeadLettersAsync(1);

        receiver.All("/hook").Should().ContainSingle();
        var letter = harness.Store.Letters.Single();
        letter.Sink.Should().Be("webhook " + receiver.Url("/hook"));
        letter.Wallet.Should().Be(NotificationHarness.WalletA);
        letter.Signature.Should().Be("SigBad");
        letter.Attempts.Should().Be(1);
        letter.LastError.Should().Contain("400").And.Contain("bad embed");
        letter.Payload.Should().Be(receiver.All("/hook")[0].Text);
        harness.Measured("accountgrains.notifications.dead_lettered", "reason", "rejected").Should().Be(1);
    }

    [Fact]
    public async Task Exhausted_retries_store_a_dead_letter_with_the_attempts_and_last_error_and_the_sink_goes_on()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        receiver.Script("/hook", new ScriptedAnswer(503), times: 4);
        await using var harness = await NotificationHarness.StartAsync(o => o.MaxAttempts = 4);

        harness.Dispatcher.Enqueue(TestActivity.Of(NotificationHarness.WalletA, "SigLost"), [Hook(receiver, "/hook")]);
        harness.Dispatcher.Enqueue(TestActivity.Of(NotificationHarness.WalletA, "SigNext"), [Hook(receiver, "/hook")]);
        await harness.WaitForDeadLettersAsync(1);
        await receiver.WaitForAcceptedAsync("/hook", 1);

        var letter = harness.Store.Letters.Single();
        letter.Signature.Should().Be("SigLost");
        letter.Attempts.Should().Be(4);
        letter.LastError.Should().StartWith("HTTP 503");
        JsonDocument.Parse(letter.Payload).RootElement.GetProperty("signature").GetString().Should().Be("SigLost");
        receiver.Accepted("/hook")[0].Signature.Should().Be("SigNext");
        harness.Log.Lines.Should().Contain(l => l.StartsWith("Warning 2506", StringComparison.Ordinal) && l.Contains("SigLost", StringComparison.Ordinal));
        harness.Measured("accountgrains.notifications.dead_lettered", "reason", "exhausted").Should().Be(1);
    }

    [Fact]
    public async Task Retry_after_of_a_429_is_honoured()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        receiver.Script("/hook", new ScriptedAnswer(429, RetryAfter: "1"));
        await using var harness = await NotificationHarness.StartAsync(o => o.MaxBackoff = TimeSpan.FromSeconds(5));

        var watch = Stopwatch.StartNew();
        harness.Dispatcher.Enqueue(TestActivity.Of(NotificationHarness.WalletA, "SigLimited"), [Hook(receiver, "/hook")]);
        await receiver.WaitForAcceptedAsync("/hook", 1);

        watch.Elapsed.Should().BeGreaterThan(TimeSpan.FromMilliseconds(900), "the receiver asked for a second (backoffs alone are milliseconds)");
        harness.Measured("accountgrains.notifications.attempts.failed", "reason", "http_429").Should().Be(1);
    }

    [Fact]
    public async Task Retry_after_longer_than_MaxBackoff_is_capped()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        receiver.Script("/hook", new ScriptedAnswer(503, RetryAfter: "3600"));
        await using var harness = await NotificationHarness.StartAsync();

        harness.Dispatcher.Enqueue(TestActivity.Of(NotificationHarness.WalletA, "SigBusy"), [Hook(receiver, "/hook")]);

        // An hour honoured as asked would trip the hang guard; capped at MaxBackoff (40 ms) it goes through.
        await receiver.WaitForAcceptedAsync("/hook", 1);
    }

    [Fact]
    public async Task A_receiver_that_is_down_for_a_while_gets_everything_in_order_once_back()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        var sink = Hook(receiver, "/hook");
        await receiver.GoDownAsync();
        await using var harness = await NotificationHarness.StartAsync(o => o.MaxAttempts = 1000);

        for (var i = 0; i < 5; i++)
        {
            harness.Dispatcher.Enqueue(TestActivity.Of(NotificationHarness.WalletA, $"Sig{i}"), [sink]).Should().BeTrue();
        }

        await Waits.UntilAsync(() => harness.Measured("accountgrains.notifications.attempts.failed", "reason", "network") >= 3, "failed attempts while down");
        receiver.Received.Should().BeEmpty();
        await receiver.ComeBackAsync();
        await receiver.WaitForAcceptedAsync("/hook", 5);

        receiver.Accepted("/hook").Select(r => r.Signature)
            .Should().Equal("Sig0", "Sig1", "Sig2", "Sig3", "Sig4");
        harness.Store.Letters.Should().BeEmpty();
        harness.Log.Lines.Should().Contain(l => l.StartsWith("Warning 2503", StringComparison.Ordinal))
            .And.Contain(l => l.StartsWith("Information 2504", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_receiver_that_never_answers_times_out_and_is_retried()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        receiver.Script("/hook", ScriptedAnswer.Hanging);
        await using var harness = await NotificationHarness.StartAsync(o => o.Timeout = TimeSpan.FromMilliseconds(200));

        harness.Dispatcher.Enqueue(TestActivity.Of(NotificationHarness.WalletA, "SigSlow"), [Hook(receiver, "/hook")]);
        await receiver.WaitForAcceptedAsync("/hook", 1);

        receiver.All("/hook").Should().HaveCount(2);
        harness.Measured("accountgrains.notifications.attempts.failed", "reason", "timeout").Should().Be(1);
    }

    [Fact]
    public async Task A_dead_letter_that_cannot_be_stored_is_logged_and_the_next_one_is_stored()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        receiver.Always("/hook", new ScriptedAnswer(410));
        await using var harness = await NotificationHarness.StartAsync();
        harness.Store.FailNext(1);

        harness.Dispatcher.Enqueue(TestActivity.Of(NotificationHarness.WalletA, "SigFirst"), [Hook(receiver, "/hook")]);
        harness.Dispatcher.Enqueue(TestActivity.Of(NotificationHarness.WalletA, "SigSecond"), [Hook(receiver, "/hook")]);
        await harness.WaitForDeadLettersAsync(1);

        harness.Store.Letters.Single().Signature.Should().Be("SigSecond");
        harness.Log.Lines.Should().Contain(l => l.StartsWith("Error 2509", StringComparison.Ordinal) && l.Contains("SigFirst", StringComparison.Ordinal));
        harness.Measured("accountgrains.notifications.dead_letters.lost").Should().Be(1);
    }
}
