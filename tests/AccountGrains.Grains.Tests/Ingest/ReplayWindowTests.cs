using AccountGrains.Grains.Ingest.Yellowstone;

namespace AccountGrains.Grains.Tests.Ingest;

public sealed class ReplayWindowTests
{
    [Fact]
    public void A_write_is_delivered_once_until_forgotten()
    {
        var window = new ReplayWindow(keepSlots: 10);
        window.TryRecord(5, 100, Keys.Bytes(1)).Should().BeTrue();
        window.TryRecord(5, 100, Keys.Bytes(1)).Should().BeFalse("the same write again");
        window.TryRecord(5, 100, Keys.Bytes(2)).Should().BeTrue("another account's write with the same version");
        window.TryRecord(5, 101, Keys.Bytes(1)).Should().BeTrue();

        window.Forget(5, 100, Keys.Bytes(1));
        window.TryRecord(5, 100, Keys.Bytes(1)).Should().BeTrue("a write whose hand-off was cancelled comes again");
    }

    [Fact]
    public void The_resume_point_is_the_last_complete_slot_else_the_oldest_seen_else_the_tip()
    {
        var window = new ReplayWindow(keepSlots: 10);
        window.ResumeSlot.Should().BeNull();
        window.TryRecord(7, 1, Keys.Bytes(1));
        window.TryRecord(8, 2, Keys.Bytes(1));
        window.ResumeSlot.Should().Be(7);
        window.Complete(7);
        window.Complete(6);
        window.ResumeSlot.Should().Be(7);
        window.LastCompleteSlot.Should().Be(7);

        window.Reset();
        window.ResumeSlot.Should().BeNull();
        window.Restore(40);
        window.ResumeSlot.Should().Be(40);
    }

    [Fact]
    public void Slots_older_than_the_window_are_forgotten_and_their_writes_refused()
    {
        var window = new ReplayWindow(keepSlots: 3);
        for (ulong slot = 1; slot <= 10; slot++)
        {
            window.TryRecord(slot, slot, Keys.Bytes(1)).Should().BeTrue();
            window.Complete(slot);
        }

        window.TryRecord(10, 10, Keys.Bytes(1)).Should().BeFalse("still remembered");
        window.TryRecord(7, 7, Keys.Bytes(1)).Should().BeFalse("older than the window: only a replay sends it");
        window.TryRecord(11, 11, Keys.Bytes(1)).Should().BeTrue();
    }
}
