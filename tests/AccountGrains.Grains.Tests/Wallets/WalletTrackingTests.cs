using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using AccountGrains.Grains.Ingest.Yellowstone;
using AccountGrains.Grains.Tests.Notifications;
using AccountGrains.Solana;
using AccountGrains.Testing.FakeYellowstone;
using AccountGrains.Testing.Transactions;

namespace AccountGrains.Grains.Tests.Wallets;

/// <summary>
/// Wallet tracking end to end in one silo: the fake Yellowstone server → ingest → wallet grain → storage, the
/// wallet's stream and a webhook receiver (real HTTP).
/// </summary>
public sealed class WalletTrackingTests : IAsyncLifetime
{
    private const ulong Sol = 1_000_000_000;
    private const ulong AtaRent = 2_039_280;
    private const string Secret = "webhook-secret-1";
    private static readonly Pubkey Usdc = Pubkey.Parse("EPjFWdd5AufqSSqeM2qN1xzybapC8G4wEGGkZwyTDt1v");
    private static readonly Pubkey WrappedSol = Pubkey.Parse("So11111111111111111111111111111111111111112");
    private readonly Pubkey _wallet = TransactionBuilder.NewKey();
    private readonly Pubkey _friend = TransactionBuilder.NewKey();
    private readonly ConcurrentDictionary<string, DateTimeOffset> _published = new();
    private readonly ConcurrentDictionary<string, DateTimeOffset> _eventAt = new();
    private readonly string _databasePath = Path.Combine(Path.GetTempPath(), $"accountgrains-wallets-{Guid.NewGuid():N}.db");
    private FakeYellowstoneServer _geyser = null!;
    private WebhookReceiver _receiver = null!;
    private ulong _slot = 1_000;

    private string Wallet => _wallet.ToString();

    public async Task InitializeAsync()
    {
        _geyser = await FakeYellowstoneServer.StartAsync();
        _receiver = await WebhookReceiver.StartAsync();
    }

    public async Task DisposeAsync()
    {
        await _receiver.DisposeAsync();
        await _geyser.DisposeAsync();
    }

    [Fact]
    public async Task Every_kind_of_transaction_reaches_activity_the_stream_and_the_webhook_within_a_second()
    {
        await using var silo = await StartSiloAsync();
        var grain = silo.Grains.Get<IWalletGrain>(Wallet);
        var events = new ConcurrentQueue<WalletChanged>();
        await using var subscription = await silo.Streams.SubscribeWalletAsync(StreamId.ForWallet(Wallet), e =>
        {
            events.Enqueue(e);
            if (e.Activity is not null)
            {
                _eventAt[e.Activity.Signature] = DateTimeOffset.UtcNow;
            }

            return ValueTask.CompletedTask;
        });

        var tracked = await grain.TrackAsync(new WalletTrackRequest("desk-1", []));
        tracked.Trackers.Should().Equal("desk-1");
        tracked.StatusWith(upstreamUp: true).Should().Be(WalletStatus.Active);
        await WaitForFilterAsync(Wallet);

        // SOL out, then in.
        var sent = Transaction(tx =>
        {
            tx.Key(_wallet, 100 * Sol, (50 * Sol) - 5000);
            tx.Key(_friend, 1 * Sol, 51 * Sol);
            tx.Unchanged(WellKnownPrograms.System);
        });
        var received = Transaction(tx =>
        {
            tx.Key(_friend, 51 * Sol, (49 * Sol) - 5000);
            tx.Key(_wallet, (50 * Sol) - 5000, (52 * Sol) - 5000);
            tx.Unchanged(WellKnownPrograms.System);
        });

        // Tokens into a token account that existed before: the transaction does not name the wallet, so the upstream
        // filter must name the token account, learned from the account's own update.
        var myUsdc = TransactionBuilder.NewKey();
        PublishTokenAccount(myUsdc, Usdc, _wallet, 10_000_000);
        await WaitForFilterAsync(myUsdc.ToString());
        var friendUsdc = TransactionBuilder.NewKey();
        var tokens = Transaction(tx =>
        {
            tx.Key(_friend, 5 * Sol, (5 * Sol) - 5000);
            var from = tx.Key(friendUsdc, AtaRent, AtaRent);
            var to = tx.Key(myUsdc, AtaRent, AtaRent);
            tx.Unchanged(WellKnownPrograms.SplToken);
            tx.Token(from, Usdc, _friend, 900_000_000, 875_000_000, 6);
            tx.Token(to, Usdc, _wallet, 10_000_000, 35_000_000, 6);
        });

        var failed = Transaction(
            tx =>
            {
                tx.Key(_wallet, (52 * Sol) - 5000, (52 * Sol) - 10_000);
                tx.Unchanged(WellKnownPrograms.MeteoraDammV2);
            },
            error: ([8, 0, 0, 0, 1, 25, 0, 0, 0, 0x71, 0x17, 0, 0], """{"InstructionError":[1,{"Custom":6001}]}"""));

        // A swap of SOL for USDC through the pool's vaults (several token accounts, two mints).
        var poolAuthority = TransactionBuilder.NewKey();
        var swap = Transaction(tx =>
        {
            tx.Key(_wallet, (52 * Sol) - 10_000, (52 * Sol) - 10_000 - 1_500_000_000 - 5000);
            var mine = tx.Key(myUsdc, AtaRent, AtaRent);
            var solVault = tx.Key(TransactionBuilder.NewKey(), 1_000 * Sol, 1_001_500_000_000);
            var usdcVault = tx.Key(TransactionBuilder.NewKey(), AtaRent, AtaRent);
            tx.Unchanged(poolAuthority, 0);
            tx.Unchanged(WellKnownPrograms.MeteoraDammV2);
            tx.Token(mine, Usdc, _wallet, 35_000_000, 247_400_000, 6);
            tx.Token(solVault, WrappedSol, poolAuthority, (1_000 * Sol) - AtaRent, 1_001_500_000_000 - AtaRent, 9);
            tx.Token(usdcVault, Usdc, poolAuthority, 150_000_000_000, 150_000_000_000 - 212_400_000, 6);
        });
        var all = new[] { sent, received, tokens, failed, swap };

        await Waits.UntilAsync(() => _receiver.Accepted("/hook").Count >= all.Length, "a webhook delivery per transaction");
        var activity = await grain.GetActivityAsync(new ActivityQuery(null, 50));
        activity.Select(a => a.Signature).Should().Equal(all.Reverse().Select(t => t.SignatureText), "newest first");
        var bySignature = activity.ToDictionary(a => a.Signature);
        var me = _wallet.ToShortString();
        var friend = _friend.ToShortString();

        bySignature[sent.SignatureText].Should().BeEquivalentTo(new
        {
            Summary = $"{me} sent 50 SOL to {friend}",
            Succeeded = true,
            Fee = 5000UL,
            PaidFee = true,
            SolChange = -(50L * (long)Sol) - 5000,
            SolTransferred = -50L * (long)Sol,
            BlockTime = (long?)BlockTimeOf(sent.Slot),
        }, o => o.ExcludingMissingMembers());
        bySignature[sent.SignatureText].Counterparties.Should().ContainSingle().Which.Should().Be(new WalletCounterparty(_friend.ToString(), null, (50 * Sol).ToString()));
        bySignature[received.SignatureText].Summary.Should().Be($"{me} received 2 SOL from {friend}");
        bySignature[tokens.SignatureText].Summary.Should().Be($"{me} received 25 USDC from {friend}");
        bySignature[tokens.SignatureText].TokenChanges.Should().ContainSingle().Which.Should().BeEquivalentTo(
            new WalletTokenChange(Usdc.ToString(), WellKnownPrograms.SplToken.ToString(), "25000000", 6, "25", 0, 0));
        bySignature[failed.SignatureText].Should().BeEquivalentTo(new
        {
            Succeeded = false,
            Error = "instruction 1: custom program error 0x1771",
            SolChange = -5000L,
            Summary = $"{me} failed: instruction 1: custom program error 0x1771",
        }, o => o.ExcludingMissingMembers());
        bySignature[swap.SignatureText].Summary.Should().Be($"{me} swapped 1.5 SOL for 212.4 USDC");

        // Balances follow: the last SOL balance, the USDC account scaled by its decimals.
        var state = await grain.GetAsync();
        state.Lamports.Should().Be((52 * Sol) - 10_000 - 1_500_000_000 - 5000);
        state.ActivityCount.Should().Be(all.Length);
        state.Holdings.Should().ContainSingle().Which.Should().BeEquivalentTo(new
        {
            TokenAccount = myUsdc.ToString(),
            Mint = Usdc.ToString(),
            RawAmount = 247_400_000UL,
            Decimals = (int?)6,
            Amount = "247.4",
        }, o => o.ExcludingMissingMembers());

        // The stream carried each transaction once, in order.
        await Waits.UntilAsync(() => events.Count(e => e.Activity is not null) == all.Length, "an activity event per transaction");
        events.Where(e => e.Activity is not null).Select(e => e.Activity!.Signature).Should().Equal(all.Select(t => t.SignatureText));
        events.Select(e => e.Sequence).Should().BeInAscendingOrder().And.OnlyHaveUniqueItems();

        // Each webhook is signed with the secret, names its transaction, and came within the second.
        foreach (var delivery in _receiver.Accepted("/hook"))
        {
            var expected = "sha256=" + Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(Secret), delivery.Body));
            delivery.Header("X-AccountGrains-Signature").Should().Be(expected);
            var body = JsonDocument.Parse(delivery.Body).RootElement;
            body.GetProperty("wallet").GetString().Should().Be(Wallet);
            var signature = body.GetProperty("signature").GetString()!;
            body.GetProperty("summary").GetString().Should().Be(bySignature[signature].Summary);
        }

        // Within the same second, from the upstream's send to the webhook's and the stream's arrival. The first
        // transaction pays once for compiling the whole path (tests run unoptimised builds), so it is left out.
        foreach (var transaction in all.Skip(1))
        {
            var signature = transaction.SignatureText;
            var published = _published[signature];
            (_receiver.Accepted("/hook").Single(d => d.Signature == signature).ReceivedAt - published).Should().BeLessThan(TimeSpan.FromSeconds(1), $"the webhook of {signature} must arrive within the same second");
            (_eventAt[signature] - published).Should().BeLessThan(TimeSpan.FromSeconds(1), $"the stream event of {signature} must arrive within the same second");
        }

        _receiver.Accepted("/hook").Select(d => d.Signature).Should().Equal(all.Select(t => t.SignatureText), "one delivery each, in order");
    }

    [Fact]
    public async Task A_replayed_transaction_is_recorded_and_notified_once_and_an_untracked_wallet_records_nothing()
    {
        await using var silo = await StartSiloAsync();
        var grain = silo.Grains.Get<IWalletGrain>(Wallet);
        await grain.TrackAsync(new WalletTrackRequest("desk-1", []));
        await grain.TrackAsync(new WalletTrackRequest("desk-2", []));
        await WaitForFilterAsync(Wallet);
        var first = SolTransfer();
        await Waits.UntilAsync(() => _receiver.Accepted("/hook").Count == 1);

        // The same transaction again (as after a reconnect's replay): no second entry, no second webhook.
        _geyser.PublishTransaction(first.ToYellowstone());
        _geyser.CompleteSlot(first.Slot);
        var marker = SolTransfer();
        await Waits.UntilAsync(() => _receiver.Accepted("/hook").Count == 2);
        _receiver.Accepted("/hook").Select(d => d.Signature).Should().Equal(first.SignatureText, marker.SignatureText);
        (await grain.GetAsync()).ActivityCount.Should().Be(2);

        // One tracker leaving keeps it tracked; the last one untracks it and stops recording.
        (await grain.UntrackAsync("desk-1")).Trackers.Should().Equal("desk-2");
        var untracked = await grain.UntrackAsync("desk-2");
        untracked.StatusWith(upstreamUp: true).Should().Be(WalletStatus.Untracked);
        untracked.TrackedSince.Should().BeNull();
        (await silo.Grains.Get<IGeyserIngestGrain>(IGeyserIngestGrain.DefaultKey).GetInterestAsync()).Should().BeEmpty();
        await Waits.UntilAsync(() => !LastFilter().Transactions.ContainsKey(SubscribeRequestBuilder.WalletTransactionsFilter), "the filter without the wallet");
        var ignored = SolTransfer();
        var other = TransactionBuilder.NewKey();
        await silo.Grains.Get<IWalletGrain>(other.ToString()).TrackAsync(new WalletTrackRequest("desk-3", []));
        await WaitForFilterAsync(other.ToString());
        Transaction(tx =>
        {
            tx.Key(other, 10 * Sol, (10 * Sol) - 5000);
            tx.Key(_wallet, 1 * Sol, 1 * Sol);
        });
        await Waits.UntilAsync(() => _receiver.Accepted("/hook").Count == 3);
        (await grain.GetActivityAsync(new ActivityQuery(null, 10))).Select(a => a.Signature).Should().NotContain(ignored.SignatureText)
            .And.HaveCount(2, "an untracked wallet records nothing, even when a tracked wallet's transaction names it");
    }

    [Fact]
    public async Task A_receiver_that_is_down_gets_the_notification_when_it_comes_back()
    {
        await using var silo = await StartSiloAsync();
        await silo.Grains.Get<IWalletGrain>(Wallet).TrackAsync(new WalletTrackRequest("desk-1", []));
        await WaitForFilterAsync(Wallet);
        await _receiver.GoDownAsync();

        var transfer = SolTransfer();
        await Waits.UntilAsync(async () => (await silo.Grains.Get<IWalletGrain>(Wallet).GetAsync()).ActivityCount == 1);
        await Task.Delay(300); // a few failed attempts while it is down
        await _receiver.ComeBackAsync();

        await Waits.UntilAsync(() => _receiver.Accepted("/hook").Count == 1, "the delivery after the receiver came back");
        _receiver.Accepted("/hook").Single().Signature.Should().Be(transfer.SignatureText);
    }

    [Fact]
    public async Task A_restart_keeps_tracking_and_activity_and_the_new_ingest_follows_the_wallet_again()
    {
        TransactionBuilder before;
        await using (var silo = await StartSiloAsync())
        {
            await silo.Grains.Get<IWalletGrain>(Wallet).TrackAsync(new WalletTrackRequest("desk-1", [new NotificationSink(NotificationSink.Webhook, _receiver.Url("/mine"), "per-wallet")]));
            await WaitForFilterAsync(Wallet);
            before = SolTransfer();
            await Waits.UntilAsync(() => _receiver.Accepted("/mine").Count == 1);
        }

        var requestsBefore = _geyser.FilterRequests.Count;
        await using var restarted = await StartSiloAsync();
        await Waits.UntilAsync(() => _geyser.FilterRequests.Count > requestsBefore && WalletFilterNames(LastFilter(), Wallet), "the restarted ingest's filter");
        var grain = restarted.Grains.Get<IWalletGrain>(Wallet);
        var state = await grain.GetAsync();
        state.Trackers.Should().Equal("desk-1");
        state.Sinks.Should().ContainSingle().Which.Should().Be(new NotificationSink(NotificationSink.Webhook, _receiver.Url("/mine"), NotificationSink.RedactedSecret), "secrets never leave the grain");
        (await grain.GetActivityAsync(new ActivityQuery(null, 10))).Select(a => a.Signature).Should().Equal(before.SignatureText);

        var after = SolTransfer();
        await Waits.UntilAsync(() => _receiver.Accepted("/mine").Count == 2, "the per-wallet sink, kept across the restart");
        (await grain.GetActivityAsync(new ActivityQuery(null, 10))).Select(a => a.Signature).Should().Equal(after.SignatureText, before.SignatureText);
        var second = _receiver.Accepted("/mine")[1];
        second.Header("X-AccountGrains-Signature").Should().Be("sha256=" + Convert.ToHexStringLower(HMACSHA256.HashData("per-wallet"u8, second.Body)));
    }

    [Fact]
    public async Task A_token_account_closed_by_a_transaction_leaves_the_holdings()
    {
        await using var silo = await StartSiloAsync();
        var grain = silo.Grains.Get<IWalletGrain>(Wallet);
        await grain.TrackAsync(new WalletTrackRequest("desk-1", []));
        await WaitForFilterAsync(Wallet);
        var myUsdc = TransactionBuilder.NewKey();
        Transaction(tx =>
        {
            tx.Key(_wallet, 10 * Sol, (10 * Sol) - 5000);
            var mine = tx.Key(myUsdc, AtaRent, AtaRent);
            tx.Unchanged(WellKnownPrograms.SplToken);
            tx.Token(mine, Usdc, _wallet, 0, 5_000_000, 6);
        });
        await Waits.UntilAsync(async () => (await grain.GetAsync()).Holdings.Count == 1, "the USDC holding");

        // Sold out and closed: the account is in the pre balances only (and no update of a closed account comes).
        Transaction(tx =>
        {
            tx.Key(_wallet, (10 * Sol) - 5000, (10 * Sol) - 10_000 + AtaRent);
            var mine = tx.Key(myUsdc, AtaRent, 0);
            tx.Unchanged(WellKnownPrograms.SplToken);
            tx.Token(mine, Usdc, _wallet, 5_000_000, null, 6);
        });

        await Waits.UntilAsync(async () => (await grain.GetAsync()).ActivityCount == 2, "the closing transaction");
        (await grain.GetAsync()).Holdings.Should().BeEmpty();
    }

    [Fact]
    public async Task A_configured_wallet_is_tracked_by_config_and_records_its_activity()
    {
        await using var silo = await StartSiloAsync(new Dictionary<string, string?> { ["AccountGrains:Ingest:Interest:Wallets:0"] = Wallet });
        var grain = silo.Grains.Get<IWalletGrain>(Wallet);
        await Waits.UntilAsync(async () => (await grain.GetAsync()).Trackers.SequenceEqual(["config"]), "the configured wallet tracked by config");
        await WaitForFilterAsync(Wallet);

        var transfer = SolTransfer();
        await Waits.UntilAsync(() => _receiver.Accepted("/hook").Count == 1);
        (await grain.GetActivityAsync(new ActivityQuery(null, 5))).Single().Signature.Should().Be(transfer.SignatureText);
    }

    [Fact]
    public async Task Bad_addresses_sinks_and_trackers_get_clear_errors_and_the_cap_holds()
    {
        await using var silo = await StartSiloAsync(new Dictionary<string, string?> { ["AccountGrains:Wallets:MaxTracked"] = "1" });

        var badBase58 = () => silo.Grains.Get<IWalletGrain>("0OIl-not-base58").TrackAsync(new WalletTrackRequest("desk", []));
        (await badBase58.Should().ThrowAsync<ArgumentException>()).Which.Message.Should().Contain("wallet address '0OIl-not-base58' is not valid");
        var tooShort = () => silo.Grains.Get<IWalletGrain>("3K").GetAsync();
        await tooShort.Should().ThrowAsync<ArgumentException>().WithMessage("*wallet address '3K' is not valid*");
        var grain = silo.Grains.Get<IWalletGrain>(Wallet);
        var badSink = () => grain.TrackAsync(new WalletTrackRequest("desk", [new NotificationSink("pager", "https://x.example")]));
        await badSink.Should().ThrowAsync<ArgumentException>().WithMessage("*sink kind 'pager' is not known*");
        var relative = () => grain.TrackAsync(new WalletTrackRequest("desk", [new NotificationSink(NotificationSink.Webhook, "/hook")]));
        await relative.Should().ThrowAsync<ArgumentException>().WithMessage("*not an absolute http or https URL*");
        var noTracker = () => grain.TrackAsync(new WalletTrackRequest(" ", []));
        await noTracker.Should().ThrowAsync<ArgumentException>().WithMessage("*tracker*");
        (await grain.GetAsync()).IsTracked.Should().BeFalse("nothing was tracked by the refused requests");

        await grain.TrackAsync(new WalletTrackRequest("desk", []));
        var overCap = () => silo.Grains.Get<IWalletGrain>(_friend.ToString()).TrackAsync(new WalletTrackRequest("desk", []));
        (await overCap.Should().ThrowAsync<InvalidOperationException>()).Which.Message.Should().Contain("tracked-wallet limit is reached (1 wallets, AccountGrains:Wallets:MaxTracked)");
        (await silo.Grains.Get<IWalletGrain>(_friend.ToString()).GetAsync()).IsTracked.Should().BeFalse();
        (await grain.TrackAsync(new WalletTrackRequest("desk-2", []))).Trackers.Should().Equal("desk", "desk-2");
    }

    private Task<TestSilo> StartSiloAsync(IDictionary<string, string?>? extra = null)
    {
        var settings = new Dictionary<string, string?>
        {
            ["AccountGrains:Ingest:Source"] = "yellowstone",
            ["AccountGrains:Ingest:Yellowstone:Endpoint"] = _geyser.Address.ToString(),
            ["AccountGrains:Ingest:Yellowstone:ReconnectInitialDelay"] = "00:00:00.020",
            ["AccountGrains:Ingest:Yellowstone:ReconnectMaxDelay"] = "00:00:00.200",
            ["AccountGrains:Ingest:Yellowstone:RebuildDebounce"] = "00:00:00.010",
            ["AccountGrains:Notifications:Sinks:0:Kind"] = "webhook",
            ["AccountGrains:Notifications:Sinks:0:Url"] = _receiver.Url("/hook"),
            ["AccountGrains:Notifications:Sinks:0:Secret"] = Secret,
            ["AccountGrains:Notifications:InitialBackoff"] = "00:00:00.050",
            ["AccountGrains:Notifications:MaxBackoff"] = "00:00:00.200",
            ["AccountGrains:Notifications:MaxAttempts"] = "50",
        };
        foreach (var (key, value) in extra ?? new Dictionary<string, string?>())
        {
            settings[key] = value;
        }

        return TestSilo.StartAsync(_databasePath, settings, startIngest: true);
    }

    /// <summary>A transaction of the next slot, published with its block meta and the slot's completion.</summary>
    private TransactionBuilder Transaction(Action<TransactionBuilder> build, (byte[] Bincode, string Json)? error = null)
    {
        var slot = ++_slot;
        var tx = new TransactionBuilder { Slot = slot, BlockTime = BlockTimeOf(slot), Error = error };
        build(tx);
        _published[tx.SignatureText] = DateTimeOffset.UtcNow;
        _geyser.PublishTransaction(tx.ToYellowstone());
        _geyser.PublishBlockMeta(slot, BlockTimeOf(slot));
        _geyser.CompleteSlot(slot);
        return tx;
    }

    private TransactionBuilder SolTransfer() => Transaction(tx =>
    {
        tx.Key(_friend, 10 * Sol, (9 * Sol) - 5000);
        tx.Key(_wallet, 1 * Sol, 2 * Sol);
    });

    private void PublishTokenAccount(Pubkey tokenAccount, Pubkey mint, Pubkey owner, ulong amount)
    {
        var slot = ++_slot;
        _geyser.Publish(slot, tokenAccount.ToArray(), WellKnownPrograms.SplToken.ToArray(), AtaRent, WalletRoutingTests.TokenAccountData(mint, owner, amount), writeVersion: slot * 10);
        _geyser.CompleteSlot(slot);
    }

    private static long BlockTimeOf(ulong slot) => 1_700_000_000 + (long)slot;

    private Geyser.SubscribeRequest LastFilter() => _geyser.FilterRequests[^1].Request;

    private static bool WalletFilterNames(Geyser.SubscribeRequest request, string key) =>
        request.Transactions.TryGetValue(SubscribeRequestBuilder.WalletTransactionsFilter, out var filter) && filter.AccountInclude.Contains(key);

    private Task WaitForFilterAsync(string key) =>
        Waits.UntilAsync(() => _geyser.FilterRequests.Count > 0 && WalletFilterNames(LastFilter(), key), $"the wallet transaction filter naming {key}");
}
