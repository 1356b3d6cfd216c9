using AccountGrains.Testing.FakeRpc;
using AccountGrains.Testing.FakeYellowstone;

namespace AccountGrains.Grains.Tests.Ingest;

/// <summary>The whole live path in one silo: Yellowstone stream → ingest grain → account grains, with RPC beside it.</summary>
public sealed class LiveIngestTests
{
    [Fact]
    public async Task Interest_added_through_the_ingest_grain_reaches_the_stream_and_its_updates_reach_the_grains_through_a_gap()
    {
        await using var geyser = await FakeYellowstoneServer.StartAsync();
        await using var rpc = await FakeSolanaRpcServer.StartAsync();
        geyser.RequiredToken = "live-token";
        await using var silo = await TestSilo.StartAsync(settings: new Dictionary<string, string?>
        {
            ["AccountGrains:Ingest:Source"] = "yellowstone",
            ["AccountGrains:Ingest:Yellowstone:Endpoint"] = geyser.Address.ToString(),
            ["AccountGrains:Ingest:Yellowstone:XToken"] = "live-token",
            ["AccountGrains:Ingest:Yellowstone:ReconnectInitialDelay"] = "00:00:00.020",
            ["AccountGrains:Ingest:Yellowstone:ReconnectMaxDelay"] = "00:00:00.200",
            ["AccountGrains:Rpc:Url"] = rpc.HttpAddress.ToString(),
        }, startIngest: true);
        var ingest = silo.Grains.Get<IGeyserIngestGrain>(IGeyserIngestGrain.DefaultKey);
        await geyser.WaitForStreamsAsync(1);
        var key = Keys.Base58(11);
        var grain = silo.Grains.Get<IAccountGrain>(key);

        await ingest.AddInterestAsync(Interest.Account(key));
        await Waits.UntilAsync(() => geyser.FilterRequests.Any(r => r.Request.Accounts.TryGetValue("accounts", out var f) && f.Account.Contains(key)));
        geyser.Publish(100, Keys.Bytes(11), new byte[32], 1_111, [], 5_000);
        geyser.CompleteSlot(100);
        await Waits.UntilAsync(async () => (await grain.GetSnapshotAsync()).State?.Lamports == 1_111);

        // The stream breaks and cannot be replayed: the grain gets the state RPC reads after the gap.
        rpc.Slot = 90_000;
        rpc.SetAccount(key, new FakeAccount("11111111111111111111111111111111", 2_222, []));
        geyser.OldestReplayableSlot = 80_000;
        geyser.DropStreams();
        await Waits.UntilAsync(async () => (await grain.GetSnapshotAsync()).State?.Lamports == 2_222);

        (await grain.GetSnapshotAsync()).State!.Slot.Should().Be(90_000);

        // Live again after the gap.
        geyser.Publish(90_001, Keys.Bytes(11), new byte[32], 3_333, [], 9_000);
        await Waits.UntilAsync(async () => (await grain.GetSnapshotAsync()).State?.Lamports == 3_333);
        var status = await ingest.GetStatusAsync();
        status.Should().BeEquivalentTo(new { Upstream = "connected", Gaps = 1L, InterestCount = 1, Running = true }, o => o.ExcludingMissingMembers());
        status.Reconnects.Should().BeGreaterThanOrEqualTo(2, "the drop, then the refused replay");
        status.Source.Should().Contain(geyser.Address.Port.ToString(System.Globalization.CultureInfo.InvariantCulture)).And.NotContain("live-token");
    }
}
