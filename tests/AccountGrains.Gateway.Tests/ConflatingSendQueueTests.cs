using System.Text;
using AccountGrains.Gateway.Native;

namespace AccountGrains.Gateway.Tests;

public sealed class ConflatingSendQueueTests
{
    private static ReadOnlyMemory<byte> M(string text) => Encoding.UTF8.GetBytes(text);

    private static async Task<List<string>> DrainAsync(ConflatingSendQueue queue)
    {
        queue.Close();
        var drained = new List<string>();
        while (await queue.DequeueAsync(CancellationToken.None) is { } message)
        {
            drained.Add(Encoding.UTF8.GetString(message.Span));
        }

        return drained;
    }

    [Fact]
    public async Task A_newer_update_replaces_the_waiting_one_in_place()
    {
        using var queue = new ConflatingSendQueue(16);
        queue.TryEnqueueLatest("A", M("a1")).Should().BeTrue();
        queue.TryEnqueue(M("reply")).Should().BeTrue();
        queue.TryEnqueueLatest("B", M("b1")).Should().BeTrue();
        queue.TryEnqueueLatest("A", M("a2")).Should().BeTrue();
        queue.TryEnqueueLatest("A", M("a3")).Should().BeTrue();
        queue.Count.Should().Be(3);
        queue.Conflated.Should().Be(2);
        (await DrainAsync(queue)).Should().Equal("a3", "reply", "b1");
    }

    [Fact]
    public async Task An_update_after_the_waiting_one_was_sent_queues_anew()
    {
        using var queue = new ConflatingSendQueue(16);
        queue.TryEnqueueLatest("A", M("a1"));
        (await queue.DequeueAsync(CancellationToken.None))!.Value.ToArray().Should().Equal(Encoding.UTF8.GetBytes("a1"));
        queue.TryEnqueueLatest("A", M("a2"));
        queue.Conflated.Should().Be(0);
        (await DrainAsync(queue)).Should().Equal("a2");
    }

    [Fact]
    public void Replies_are_never_merged_and_the_queue_refuses_past_capacity()
    {
        using var queue = new ConflatingSendQueue(3);
        queue.TryEnqueue(M("r1")).Should().BeTrue();
        queue.TryEnqueue(M("r1")).Should().BeTrue();
        queue.TryEnqueueLatest("A", M("a")).Should().BeTrue();
        queue.TryEnqueue(M("r2")).Should().BeFalse();
        queue.TryEnqueueLatest("B", M("b")).Should().BeFalse();
        queue.TryEnqueueLatest("A", M("a-newer")).Should().BeTrue("replacing a waiting update needs no room");
    }

    [Fact]
    public async Task Wallet_activity_is_never_merged_and_later_states_of_the_wallet_queue_behind_it()
    {
        using var queue = new ConflatingSendQueue(16);
        queue.TryEnqueueLatest("wallet.W", M("s1")).Should().BeTrue();
        queue.TryEnqueue(M("act1"), orderedAfterKey: "wallet.W").Should().BeTrue();
        queue.TryEnqueueLatest("wallet.W", M("s2")).Should().BeTrue();
        queue.TryEnqueue(M("act2"), orderedAfterKey: "wallet.W").Should().BeTrue();
        queue.TryEnqueue(M("act3"), orderedAfterKey: "wallet.W").Should().BeTrue();
        queue.TryEnqueueLatest("wallet.W", M("s3")).Should().BeTrue();
        queue.TryEnqueueLatest("wallet.W", M("s4")).Should().BeTrue();
        queue.Conflated.Should().Be(1, "only s3, waiting behind the last activity, was replaced");
        (await DrainAsync(queue)).Should().Equal("s1", "act1", "s2", "act2", "act3", "s4");
    }

    [Fact]
    public async Task Sending_an_older_state_of_a_key_leaves_the_newer_waiting_one_conflatable()
    {
        using var queue = new ConflatingSendQueue(16);
        queue.TryEnqueueLatest("wallet.W", M("s1"));
        queue.TryEnqueue(M("act1"), orderedAfterKey: "wallet.W");
        queue.TryEnqueueLatest("wallet.W", M("s2"));
        (await queue.DequeueAsync(CancellationToken.None))!.Value.ToArray().Should().Equal(Encoding.UTF8.GetBytes("s1"));

        queue.TryEnqueueLatest("wallet.W", M("s3")).Should().BeTrue();

        queue.Conflated.Should().Be(1, "s3 replaced s2, which still waits");
        (await DrainAsync(queue)).Should().Equal("act1", "s3");
    }

    [Fact]
    public void Activity_counts_towards_the_hard_limit_like_a_reply()
    {
        using var queue = new ConflatingSendQueue(2);
        queue.TryEnqueue(M("act1"), orderedAfterKey: "wallet.W").Should().BeTrue();
        queue.TryEnqueue(M("act2"), orderedAfterKey: "wallet.W").Should().BeTrue();
        queue.TryEnqueue(M("act3"), orderedAfterKey: "wallet.W").Should().BeFalse("past the capacity the socket is closed, never a message dropped silently");
    }

    [Fact]
    public async Task A_closed_queue_refuses_and_hands_out_what_is_left()
    {
        using var queue = new ConflatingSendQueue(8);
        queue.TryEnqueue(M("last"));
        queue.Close();
        queue.TryEnqueue(M("late")).Should().BeFalse();
        queue.TryEnqueueLatest("A", M("late")).Should().BeFalse();
        (await queue.DequeueAsync(CancellationToken.None)).HasValue.Should().BeTrue();
        (await queue.DequeueAsync(CancellationToken.None)).Should().BeNull();
    }

    [Fact]
    public async Task A_waiting_reader_wakes_on_enqueue()
    {
        using var queue = new ConflatingSendQueue(8);
        var dequeue = queue.DequeueAsync(CancellationToken.None).AsTask();
        dequeue.IsCompleted.Should().BeFalse();
        queue.TryEnqueueLatest("A", M("a"));
        var message = await dequeue.WaitAsync(TimeSpan.FromSeconds(10));
        Encoding.UTF8.GetString(message!.Value.Span).Should().Be("a");
    }
}
