using AccountGrains.Runtime.Transport;
using AccountGrains.Grains.Ingest;
using AccountGrains.Grains.Ingest.Yellowstone;
using AccountGrains.Runtime.Storage;
using AccountGrains.Solana;
using AccountGrains.Testing.FakeYellowstone;

using Geyser;

namespace AccountGrains.Grains.Tests.Ingest;

public sealed class YellowstoneSourceTests
{
    private static readonly byte[] SystemOwner = new byte[32];

    [Fact]
    public async Task Subscribes_with_the_interest_set_and_delivers_account_writes_exactly()
    {
        await using var server = await FakeYellowstoneServer.StartAsync();
        server.RequiredToken = "secret-token-123";
        var account = Keys.Base58(1);
        var wallet = Keys.Base58(2);
        var program = Keys.Base58(3);
        var mint = Keys.Base58(4);
        await using var harness = new YellowstoneHarness(server);
        harness.Interest.Add(Interest.Account(account));
        harness.Interest.Add(Interest.Wallet(wallet));
        harness.Interest.Add(Interest.Program(program, AccountFilter.OfDataSize(165), AccountFilter.Memcmp(0, mint)));
        harness.Start();
        await server.WaitForStreamsAsync(1);

        var signature = new byte[64];
        signature[0] = 7;
        server.Publish(42, Keys.Bytes(1), Keys.Bytes(9), 5_000, [1, 2, 3], writeVersion: 900, signature);
        await harness.WaitForUpdatesAsync(1);

        var update = harness.Updates.Single();
        update.Should().BeEquivalentTo(new
        {
            Pubkey = account,
            Owner = Keys.Base58(9),
            Lamports = 5_000UL,
            Data = new byte[] { 1, 2, 3 },
            Executable = false,
            RentEpoch = ulong.MaxValue,
            Slot = 42UL,
            WriteVersion = 900UL,
            TxnSignature = Base58.Encode(signature),
        });
        var request = server.FilterRequests.Single().Request;
        request.Accounts[SubscribeRequestBuilder.AccountsFilter].Account.Should().BeEquivalentTo(account, wallet);
        var programFilter = request.Accounts.Single(a => a.Key.StartsWith(SubscribeRequestBuilder.ProgramPrefix, StringComparison.Ordinal)).Value;
        programFilter.Owner.Should().Equal(program);
        programFilter.Filters.Select(f => f.ToString()).Should().BeEquivalentTo(
            new SubscribeRequestFilterAccountsFilter { Datasize = 165 }.ToString(),
            new SubscribeRequestFilterAccountsFilter { Memcmp = new() { Offset = 0, Base58 = mint } }.ToString());
        var walletTokens = request.Accounts[SubscribeRequestBuilder.WalletPrefix + wallet];
        walletTokens.Owner.Should().BeEquivalentTo(WellKnownPrograms.SplToken.ToString(), WellKnownPrograms.Token2022.ToString());
        walletTokens.Filters.Should().ContainSingle(f => f.Memcmp != null && f.Memcmp.Offset == 32 && f.Memcmp.Base58 == wallet);
        walletTokens.Filters.Should().ContainSingle(f => f.TokenAccountState);
        request.Transactions[SubscribeRequestBuilder.WalletTransactionsFilter].AccountInclude.Should().Equal(wallet);
        request.Transactions[SubscribeRequestBuilder.WalletTransactionsFilter].Vote.Should().BeFalse();
        request.Slots.Should().ContainKey(SubscribeRequestBuilder.SlotsFilter);
        request.BlocksMeta.Should().ContainKey(SubscribeRequestBuilder.BlocksMetaFilter);
        request.Commitment.Should().Be(CommitmentLevel.Confirmed);
        request.HasFromSlot.Should().BeFalse("nothing has been seen yet: start at the tip");
        server.Tokens.Should().AllBe("secret-token-123");
        harness.Source.Upstream.Should().Be("connected");
        harness.Logger.Lines.Should().NotContain(line => line.Contains("secret-token-123"));
    }

    [Fact]
    public async Task Interest_changes_are_gathered_into_one_full_request_on_the_open_stream()
    {
        await using var server = await FakeYellowstoneServer.StartAsync();
        await using var harness = new YellowstoneHarness(server, o => o.RebuildDebounce = TimeSpan.FromMilliseconds(150));
        harness.Interest.Add(Interest.Account(Keys.Base58(1)));
        harness.Start();
        await server.WaitForStreamsAsync(1);

        harness.Interest.Add(Interest.Account(Keys.Base58(2)));
        harness.Interest.Add(Interest.Account(Keys.Base58(3)));
        harness.Interest.Remove(Interest.Account(Keys.Base58(1)).Id);
        await Waits.UntilAsync(() => server.FilterRequests.Count == 2);
        await Task.Delay(300);

        server.FilterRequests.Should().HaveCount(2, "three changes within the debounce make one rebuild");
        server.StreamCount.Should().Be(1, "a rebuild is sent on the open stream, not by reconnecting");
        var rebuilt = server.FilterRequests[1].Request;
        rebuilt.Accounts[SubscribeRequestBuilder.AccountsFilter].Account.Should().BeEquivalentTo(Keys.Base58(2), Keys.Base58(3));
        rebuilt.HasFromSlot.Should().BeFalse();

        server.Publish(7, Keys.Bytes(3), SystemOwner, 1, [], 70);
        server.Publish(7, Keys.Bytes(1), SystemOwner, 1, [], 71);
        await harness.WaitForUpdatesAsync(1);
        await Task.Delay(100);
        harness.Updates.Select(u => u.Pubkey).Should().Equal(Keys.Base58(3));
    }

    [Fact]
    public async Task Answers_server_pings_and_pings_on_its_own_without_touching_the_filters()
    {
        await using var server = await FakeYellowstoneServer.StartAsync();
        await using var harness = new YellowstoneHarness(server, o => o.PingInterval = TimeSpan.FromMilliseconds(100));
        harness.Interest.Add(Interest.Account(Keys.Base58(1)));
        harness.Start();
        await server.WaitForStreamsAsync(1);

        await Waits.UntilAsync(() => server.Requests.Count(r => r.IsPingOnly) >= 3);
        var before = server.Requests.Count(r => r.IsPingOnly);
        server.PingAll();
        await Waits.UntilAsync(() => server.Requests.Count(r => r.IsPingOnly) > before);

        server.FilterRequests.Should().ContainSingle("pings never resend or clear the filters");
        server.Requests.Where(r => r.IsPingOnly).Select(r => r.Request.Ping.Id).Should().OnlyHaveUniqueItems();
        harness.Updates.Should().BeEmpty("pings and pongs are not account updates");
        server.StreamCount.Should().Be(1);
    }

    [Fact]
    public async Task Streams_dropped_under_load_resume_from_the_last_complete_slot_with_nothing_lost_or_repeated()
    {
        await using var server = await FakeYellowstoneServer.StartAsync();
        var program = Keys.Base58(77);
        await using var harness = new YellowstoneHarness(server);
        harness.Interest.Add(Interest.Program(program));
        harness.Start();
        await server.WaitForStreamsAsync(1);

        const int slotCount = 200;
        const int writesPerSlot = 50;
        var owner = Keys.Bytes(77);
        var published = new List<(ulong Slot, ulong WriteVersion)>();
        ulong writeVersion = 1_000_000;
        for (ulong slot = 1; slot <= slotCount; slot++)
        {
            for (var i = 0; i < writesPerSlot; i++)
            {
                writeVersion++;
                server.Publish(slot, Keys.Bytes((int)(writeVersion % 500)), owner, writeVersion, [(byte)i], writeVersion);
                published.Add((slot, writeVersion));
                if (slot % 50 == 0 && i == writesPerSlot / 2)
                {
                    // Mid-slot: the resumed stream must replay this slot's first half and the dedupe drop it.
                    server.DropStreams();
                    await server.WaitForStreamsAsync((int)(slot / 50) + 1);
                }
            }

            server.CompleteSlot(slot);
        }

        await harness.WaitForUpdatesAsync(published.Count);
        await Task.Delay(200);

        harness.Updates.Select(u => (u.Slot, u.WriteVersion)).Should().BeEquivalentTo(published, "every write arrives exactly once");
        harness.Updates.Should().HaveCount(published.Count);
        harness.Source.Reconnects.Should().Be(slotCount / 50);
        var resumed = server.FilterRequests.Skip(1).Select(r => r.Request).ToList();
        resumed.Should().HaveCount(slotCount / 50).And.OnlyContain(r => r.HasFromSlot);
        // Each resume starts at a slot the client had completely (the client may trail the publisher), never later.
        var dropSlots = new[] { 50UL, 100UL, 150UL, 200UL };
        resumed.Select(r => r.FromSlot).Zip(dropSlots).Should().OnlyContain(p => p.First > 0 && p.First < p.Second);
        resumed.Select(r => r.FromSlot).Should().BeInAscendingOrder();
    }

    [Fact]
    public async Task A_replay_the_server_refuses_resumes_at_the_tip_counts_the_gap_and_rereads_the_interest()
    {
        await using var server = await FakeYellowstoneServer.StartAsync();
        var reader = new RecordingInterestReader(Keys.Base58(1), slot: 5_000);
        await using var harness = new YellowstoneHarness(server, reader: reader);
        harness.Interest.Add(Interest.Account(Keys.Base58(1)));
        harness.Start();
        await server.WaitForStreamsAsync(1);
        server.Publish(10, Keys.Bytes(1), SystemOwner, 1, [], 100);
        server.CompleteSlot(10);
        await harness.WaitForUpdatesAsync(1);
        await Waits.UntilAsync(() => harness.Logger.Lines.Count > 0);

        server.OldestReplayableSlot = 4_000;
        server.DropStreams();
        await Waits.UntilAsync(() => harness.Source.Gaps == 1 && server.ActiveStreams == 1);
        await harness.WaitForUpdatesAsync(2);
        server.Publish(5_001, Keys.Bytes(1), SystemOwner, 2, [], 200);
        await harness.WaitForUpdatesAsync(3);

        var requests = server.FilterRequests.Select(r => r.Request).ToList();
        requests.Select(r => r.HasFromSlot ? r.FromSlot : (ulong?)null).Should().Equal(null, 10UL, null);
        reader.Calls.Should().ContainSingle().Which.Should().ContainSingle(i => i.Id == Interest.Account(Keys.Base58(1)).Id);
        harness.Updates.Select(u => u.Slot).Should().Equal(10UL, 5_000UL, 5_001UL);
        harness.Logger.Lines.Should().Contain(line => line.Contains(" 2203 ") && line.Contains("from slot 10"));
        // "Refilled" is logged once the reader is drained, after its last update was handed on.
        await Waits.UntilAsync(() => harness.Logger.Lines.Any(line => line.Contains(" 2205 ")));
    }

    [Fact]
    public async Task Garbage_from_upstream_is_logged_and_survived_without_loss()
    {
        await using var server = await FakeYellowstoneServer.StartAsync();
        await using var harness = new YellowstoneHarness(server);
        harness.Interest.Add(Interest.Account(Keys.Base58(1)));
        harness.Start();
        await server.WaitForStreamsAsync(1);
        for (ulong slot = 1; slot <= 10; slot++)
        {
            server.Publish(slot, Keys.Bytes(1), SystemOwner, slot, [], slot * 10);
            server.CompleteSlot(slot);
        }

        await harness.WaitForUpdatesAsync(10);
        server.SendGarbage();
        for (ulong slot = 11; slot <= 20; slot++)
        {
            server.Publish(slot, Keys.Bytes(1), SystemOwner, slot, [], slot * 10);
            server.CompleteSlot(slot);
        }

        await harness.WaitForUpdatesAsync(20);
        await Task.Delay(100);

        harness.Updates.Select(u => u.Slot).Should().Equal(Enumerable.Range(1, 20).Select(s => (ulong)s));
        harness.Source.Reconnects.Should().Be(1);
        harness.Logger.Lines.Should().Contain(line => line.Contains(" 2202 ") && line.Contains("Internal"));
    }

    [Fact]
    public async Task Malformed_account_updates_are_rejected_and_the_stream_goes_on()
    {
        await using var server = await FakeYellowstoneServer.StartAsync();
        await using var harness = new YellowstoneHarness(server);
        harness.Interest.Add(Interest.Program(Keys.Base58(5)));
        harness.Start();
        await server.WaitForStreamsAsync(1);

        server.Publish(3, new byte[31], Keys.Bytes(5), 1, [], 30);
        server.Publish(4, Keys.Bytes(8), Keys.Bytes(5), 1, [], 40);
        await harness.WaitForUpdatesAsync(1);

        harness.Updates.Single().Slot.Should().Be(4);
        harness.Rejected.Should().ContainSingle().Which.Reason.Should().Contain("31-byte pubkey");
        server.StreamCount.Should().Be(1);
    }

    [Fact]
    public async Task A_consumer_slower_than_the_stall_timeout_is_back_pressure_not_a_stall()
    {
        await using var server = await FakeYellowstoneServer.StartAsync();
        await using var harness = new YellowstoneHarness(server, o =>
        {
            // A stall timeout short enough that the consumer is much slower, long enough that a busy test machine
            // (other tests on 2 cores) never starves the reader that long (400 ms did, now and then).
            o.PingInterval = TimeSpan.FromMilliseconds(100);
            o.StallTimeout = TimeSpan.FromMilliseconds(1000);
            o.BufferSize = 1;
        })
        {
            ConsumerDelay = TimeSpan.FromMilliseconds(1800),
        };
        harness.Interest.Add(Interest.Account(Keys.Base58(1)));
        harness.Start();
        await server.WaitForStreamsAsync(1);

        for (ulong slot = 1; slot <= 3; slot++)
        {
            server.Publish(slot, Keys.Bytes(1), SystemOwner, slot, [], slot);
        }

        await harness.WaitForUpdatesAsync(3);

        harness.Updates.Select(u => u.Slot).Should().Equal(1UL, 2UL, 3UL);
        harness.Source.Reconnects.Should().Be(0, "the stream was waiting for the consumer, not silent");
        server.StreamCount.Should().Be(1);
    }

    [Fact]
    public async Task A_stalled_stream_is_abandoned_and_resumed()
    {
        await using var server = await FakeYellowstoneServer.StartAsync();
        await using var harness = new YellowstoneHarness(server, o =>
        {
            o.PingInterval = TimeSpan.FromMilliseconds(200);
            o.StallTimeout = TimeSpan.FromMilliseconds(1500);
        });
        harness.Interest.Add(Interest.Account(Keys.Base58(1)));
        harness.Start();
        await server.WaitForStreamsAsync(1);
        server.Publish(1, Keys.Bytes(1), SystemOwner, 1, [], 10);
        server.CompleteSlot(1);
        await harness.WaitForUpdatesAsync(1);

        server.StallStreams();
        server.Publish(2, Keys.Bytes(1), SystemOwner, 2, [], 20);
        await harness.WaitForUpdatesAsync(2);

        harness.Updates.Select(u => u.Slot).Should().Equal(1UL, 2UL);
        server.StreamCount.Should().Be(2);
        server.FilterRequests[1].Request.FromSlot.Should().Be(1);
        harness.Logger.Lines.Should().Contain(line => line.Contains(" 2209 "));
    }

    [Fact]
    public async Task Refused_connections_are_retried_with_growing_capped_backoff()
    {
        await using var server = await FakeYellowstoneServer.StartAsync();
        server.RequiredToken = "another-token";
        await using var harness = new YellowstoneHarness(server, o =>
        {
            o.ReconnectInitialDelay = TimeSpan.FromMilliseconds(20);
            o.ReconnectMaxDelay = TimeSpan.FromMilliseconds(160);
        });
        harness.Start();
        await Waits.UntilAsync(() => server.StreamCount >= 6);

        var lost = harness.Logger.Lines.Where(line => line.Contains(" 2202 ")).ToList();
        lost.Should().HaveCountGreaterThanOrEqualTo(5);
        lost.Take(5).Select(line => Value(line, "Attempt")).Should().Equal(1, 2, 3, 4, 5);
        lost.Select(line => Value(line, "DelayMs")).Should().OnlyContain(ms => ms >= 20 && ms <= 160);
        lost.Should().OnlyContain(line => line.Contains("Unauthenticated"));
        harness.Source.Upstream.Should().Be("reconnecting");
    }

    [Fact]
    public async Task A_restarted_source_resumes_from_the_stored_checkpoint()
    {
        await using var server = await FakeYellowstoneServer.StartAsync();
        var store = new InMemoryIngestStateStore();
        await using (var first = new YellowstoneHarness(server, o => o.CheckpointInterval = TimeSpan.FromMilliseconds(30), store))
        {
            first.Interest.Add(Interest.Account(Keys.Base58(1)));
            first.Start();
            await server.WaitForStreamsAsync(1);
            PublishCompleteSlots(server, 1, 30);

            await first.WaitForUpdatesAsync(30);
            await Waits.UntilAsync(() => store.ReadCheckpointAsync(YellowstoneSource.CheckpointName, default).Result == 30);
        }

        await using var second = new YellowstoneHarness(server, store: store);
        second.Interest.Add(Interest.Account(Keys.Base58(1)));
        second.Start();
        await server.WaitForStreamsAsync(2);
        await second.WaitForUpdatesAsync(1);

        server.FilterRequests[^1].Request.FromSlot.Should().Be(30);
        second.Updates.Select(u => u.Slot).Should().Equal(30UL);
        second.Logger.Lines.Should().Contain(line => line.Contains(" 2211 "));
    }

    [Fact]
    public async Task Upstream_messages_latency_reconnects_gaps_rebuilds_and_replays_are_measured()
    {
        await using var server = await FakeYellowstoneServer.StartAsync();
        await using var harness = new YellowstoneHarness(server);
        var measurements = new System.Collections.Concurrent.ConcurrentQueue<(string Name, double Value, string Tags)>();
        using var listener = new System.Diagnostics.Metrics.MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (ReferenceEquals(instrument.Meter, harness.Metrics.Meter))
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<long>((i, v, tags, _) => measurements.Enqueue((i.Name, v, string.Join(",", tags.ToArray().Select(t => $"{t.Key}={t.Value}")))));
        listener.SetMeasurementEventCallback<double>((i, v, tags, _) => measurements.Enqueue((i.Name, v, string.Join(",", tags.ToArray().Select(t => $"{t.Key}={t.Value}")))));
        listener.Start();
        harness.Interest.Add(Interest.Account(Keys.Base58(1)));
        harness.Start();
        await server.WaitForStreamsAsync(1);

        server.Publish(1, Keys.Bytes(1), SystemOwner, 1, [], 10);
        server.Publish(2, Keys.Bytes(1), SystemOwner, 1, [], 20);
        server.CompleteSlot(1);
        await harness.WaitForUpdatesAsync(2);
        harness.Interest.Add(Interest.Account(Keys.Base58(2)));
        await Waits.UntilAsync(() => server.FilterRequests.Count == 2);
        server.DropStreams(); // resumes from slot 1: slot 1 and 2 are sent again and dropped
        server.Publish(3, Keys.Bytes(1), SystemOwner, 1, [], 30);
        await harness.WaitForUpdatesAsync(3);
        server.OldestReplayableSlot = 100;
        server.DropStreams(); // from slot 1 is refused now: a gap
        await Waits.UntilAsync(() => harness.Source.Gaps == 1);

        var names = measurements.Select(m => m.Name).ToList();
        measurements.Should().Contain(m => m.Name == "accountgrains.ingest.upstream.messages" && m.Tags == "source=yellowstone,kind=account");
        measurements.Should().Contain(m => m.Name == "accountgrains.ingest.upstream.messages" && m.Tags == "source=yellowstone,kind=slot");
        measurements.Where(m => m.Name == "accountgrains.ingest.upstream.latency").Should().OnlyContain(m => m.Value >= 0 && m.Value < 30).And.NotBeEmpty();
        names.Count(n => n == "accountgrains.ingest.filter.rebuilds").Should().Be(1);
        names.Count(n => n == "accountgrains.ingest.replayed").Should().Be(2, "slots 1 and 2 came again after the first drop");
        names.Count(n => n == "accountgrains.ingest.gaps").Should().Be(1);
        measurements.Where(m => m.Name == "accountgrains.ingest.reconnects").Select(m => m.Tags)
            .Should().Contain(t => t.Contains("reason=gap", StringComparison.Ordinal)).And.HaveCountGreaterThanOrEqualTo(3);
    }

    [Fact]
    public async Task A_restart_never_skips_updates_that_were_read_but_not_yet_handed_on()
    {
        // The consumer is slow, so the stream is read far ahead of it; the stored resume slot must follow what was
        // handed on, not what was received, or a stop would lose the buffered updates for good.
        await using var server = await FakeYellowstoneServer.StartAsync();
        var store = new InMemoryIngestStateStore();
        List<ulong> firstSlots;
        await using (var first = new YellowstoneHarness(server, o => o.CheckpointInterval = TimeSpan.FromMilliseconds(20), store)
        {
            ConsumerDelay = TimeSpan.FromMilliseconds(100),
        })
        {
            first.Interest.Add(Interest.Account(Keys.Base58(1)));
            first.Start();
            await server.WaitForStreamsAsync(1);
            PublishCompleteSlots(server, 1, 30);

            await first.WaitForUpdatesAsync(3);
            firstSlots = [.. first.Updates.Select(u => u.Slot)];
        }

        firstSlots.Should().HaveCountLessThan(30, "the test needs updates left in the buffer at the stop");
        var stored = await store.ReadCheckpointAsync(YellowstoneSource.CheckpointName, default);
        stored.Should().NotBeNull().And.BeLessThanOrEqualTo(firstSlots.Max());

        await using var second = new YellowstoneHarness(server, store: store);
        second.Interest.Add(Interest.Account(Keys.Base58(1)));
        second.Start();
        await second.WaitForUpdatesAsync((int)(30 - stored!.Value + 1));
        firstSlots.Concat(second.Updates.Select(u => u.Slot)).Distinct().Should().BeEquivalentTo(Enumerable.Range(1, 30).Select(s => (ulong)s));
    }

    [Fact]
    public async Task After_a_hand_off_that_never_became_durable_no_checkpoint_passes_it_and_the_next_read_delivers_it_again()
    {
        // Cluster mode: updates handed on must reach the partition queues before the checkpoint may pass them. Here the
        // transport's flush fails (a publish the broker never confirmed); the ingest then reads the source again.
        await using var server = await FakeYellowstoneServer.StartAsync();
        var store = new InMemoryIngestStateStore();
        var failing = 0;
        var harness = new YellowstoneHarness(
            server, o => o.CheckpointInterval = TimeSpan.FromMilliseconds(20), store,
            handOffDurable: _ => Volatile.Read(ref failing) == 1
                ? Task.FromException(new MessageNotDeliveredException("the broker never confirmed"))
                : Task.CompletedTask);
        await using var _ = harness;
        harness.Interest.Add(Interest.Account(Keys.Base58(1)));

        var firstRead = new List<ulong>();
        using var stopFirst = new CancellationTokenSource();
        var reading = ReadInto(harness.Source, firstRead, stopFirst.Token);
        await server.WaitForStreamsAsync(1);
        PublishCompleteSlots(server, 1, 10);

        await Waits.UntilAsync(() => store.ReadCheckpointAsync(YellowstoneSource.CheckpointName, default).Result >= 9);
        var beforeFailure = await store.ReadCheckpointAsync(YellowstoneSource.CheckpointName, default);

        Volatile.Write(ref failing, 1);
        PublishCompleteSlots(server, 11, 20);

        await Waits.UntilAsync(() => { lock (firstRead) { return firstRead.Count == 20; } });
        await Task.Delay(200); // several checkpoint ticks, all refused
        Volatile.Write(ref failing, 0); // a later flush succeeds, but the failure already happened
        await Task.Delay(200);
        await stopFirst.CancelAsync();
        await reading.WaitAsync(Waits.Generous);
        (await store.ReadCheckpointAsync(YellowstoneSource.CheckpointName, default)).Should().Be(beforeFailure,
            "no checkpoint may pass updates whose hand-off failed, not even the one saved at the end of the read");

        // The same source read again starts from the stored checkpoint and delivers 11-20 again, not dropped as seen.
        var secondRead = new List<ulong>();
        using var stopSecond = new CancellationTokenSource();
        var again = ReadInto(harness.Source, secondRead, stopSecond.Token);
        await Waits.UntilAsync(() => { lock (secondRead) { return secondRead.Contains(20UL); } });
        await stopSecond.CancelAsync();
        await again.WaitAsync(Waits.Generous);
        secondRead.Should().Contain(Enumerable.Range(11, 10).Select(s => (ulong)s));
        server.FilterRequests[^1].Request.FromSlot.Should().Be(beforeFailure);
    }

    /// <summary>One write of account 1 per slot (slot = write version), each slot then complete.</summary>
    private static void PublishCompleteSlots(FakeYellowstoneServer server, ulong first, ulong last)
    {
        for (var slot = first; slot <= last; slot++)
        {
            server.Publish(slot, Keys.Bytes(1), SystemOwner, slot, [], slot);
            server.CompleteSlot(slot);
        }
    }

    /// <summary>Reads <paramref name="source"/> into <paramref name="slots"/> until <paramref name="stop"/>.</summary>
    private static Task ReadInto(YellowstoneSource source, List<ulong> slots, CancellationToken stop)
    {
        async Task ReadAsync()
        {
            try
            {
                await foreach (var update in source.ReadAsync(_ => { }, stop))
                {
                    lock (slots)
                    {
                        slots.Add(update.Slot);
                    }
                }
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
            }
        }

        return Task.Run(ReadAsync, CancellationToken.None);
    }

    private static int Value(string line, string name)
    {
        var start = line.IndexOf(name + "=", StringComparison.Ordinal) + name.Length + 1;
        var end = line.IndexOfAny([' ', ']'], start);
        return int.Parse(line[start..end], System.Globalization.CultureInfo.InvariantCulture);
    }

    private sealed class RecordingInterestReader(string pubkey, ulong slot) : IInterestReader
    {
        public List<IReadOnlyList<Interest>> Calls { get; } = [];

        public string Describe => "test reader";

        public async IAsyncEnumerable<AccountUpdate> ReadAsync(IReadOnlyList<Interest> interest, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
        {
            Calls.Add(interest);
            await Task.Yield();
            yield return new AccountUpdate(pubkey, "11111111111111111111111111111111", 9, [], false, 0, slot, 0, null, DateTimeOffset.UtcNow);
        }
    }
}
