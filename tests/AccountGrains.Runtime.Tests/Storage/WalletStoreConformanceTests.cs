using AccountGrains.Runtime.Storage;
using AccountGrains.Runtime.Tests.TestSupport;
using FluentAssertions.Equivalency;

namespace AccountGrains.Runtime.Tests.Storage;

/// <summary>
/// What every <see cref="IWalletStore"/> must do, in memory or in a database. A store's test class derives from this
/// (or from <see cref="DatabaseWalletStoreConformanceTests"/>) and supplies <see cref="NewStore"/>. Tests use fresh
/// addresses so a shared database works. Tests are <see cref="StoreFactAttribute"/>s so a provider that needs a server
/// can skip them all when it has none.
/// </summary>
public abstract class WalletStoreConformanceTests : IAsyncLifetime
{
    protected static readonly CancellationToken None = CancellationToken.None;
    private readonly OpenedStores _stores = new();

    /// <summary>The store under test, ready for use.</summary>
    protected IWalletStore Store { get; private set; } = null!;

    /// <summary>A new store instance, over the same data each call where the store keeps any (a second call stands for a restart).</summary>
    protected abstract IWalletStore NewStore();

    /// <summary>Makes a new store ready for use (a database store migrates).</summary>
    protected virtual Task PrepareAsync(IWalletStore store) => Task.CompletedTask;

    /// <summary>A new store over the same data, ready for use, disposed with the test.</summary>
    protected async Task<IWalletStore> OpenStoreAsync()
    {
        var store = _stores.Add(NewStore());
        await PrepareAsync(store);
        return store;
    }

    public virtual async Task InitializeAsync() => Store = await OpenStoreAsync();

    public virtual async Task DisposeAsync() => await _stores.DisposeAsync();

    [StoreFact]
    public async Task Reading_a_wallet_never_saved_gives_null()
    {
        (await Store.ReadWalletAsync(TestWallets.NewAddress(), None)).Should().BeNull();
    }

    [StoreFact]
    public async Task A_saved_wallet_reads_back_with_its_holdings_and_its_sinks_secrets_included()
    {
        var tracked = TestWallets.Tracked(TestWallets.NewAddress());
        var neverSeen = WalletState.Empty(TestWallets.NewAddress(), TestWallets.At);

        await Store.SaveWalletAsync(tracked, None);
        await Store.SaveWalletAsync(neverSeen, None);

        var read = await Store.ReadWalletAsync(tracked.Address, None);
        read.Should().BeEquivalentTo(tracked, Exactly);
        read!.Sinks[0].Secret.Should().Be("s3cret-hmac-key");
        read.Sinks[1].Secret.Should().BeNull();
        read.Holdings[1].Decimals.Should().BeNull();
        read.Holdings[1].RawAmount.Should().Be(ulong.MaxValue);
        read.TrackedSince!.Value.Ticks.Should().Be(tracked.TrackedSince!.Value.Ticks, "times keep their ticks");
        read.TrackedSince.Value.Offset.Should().Be(TimeSpan.FromHours(2), "times keep their offset");
        read.UpdatedAt.Ticks.Should().Be(tracked.UpdatedAt.Ticks);

        var empty = await Store.ReadWalletAsync(neverSeen.Address, None);
        empty.Should().BeEquivalentTo(neverSeen, Exactly);
        empty!.Lamports.Should().BeNull("a balance never seen is not zero");
        empty.TrackedSince.Should().BeNull();
        empty.IsTracked.Should().BeFalse();
    }

    [StoreFact]
    public async Task Saving_a_wallet_again_replaces_its_state_and_no_other()
    {
        var address = TestWallets.NewAddress();
        var other = TestWallets.Tracked(TestWallets.NewAddress());
        var first = TestWallets.Tracked(address);
        var second = first with { Trackers = [], Lamports = null, Holdings = [], Sinks = [], TrackedSince = null, ActivityCount = 43 };

        await Store.SaveWalletAsync(other, None);
        await Store.SaveWalletAsync(first, None);
        await Store.SaveWalletAsync(second, None);

        (await Store.ReadWalletAsync(address, None)).Should().BeEquivalentTo(second, Exactly);
        (await Store.ReadWalletAsync(other.Address, None)).Should().BeEquivalentTo(other, Exactly);
    }

    [StoreFact]
    public async Task An_activity_entry_reads_back_with_every_field()
    {
        var wallet = TestWallets.NewAddress();
        var full = TestWallets.Activity(wallet, "sig-full", 100);
        var failed = TestWallets.Activity(wallet, "sig-failed", 99) with
        {
            BlockTime = null, Succeeded = false, Error = "InstructionError(0, Custom(1))", PostLamports = null, TokenChanges = [], Counterparties = [], PostHoldings = [],
        };

        (await Store.AddActivityAsync(full, None)).Should().BeTrue();
        (await Store.AddActivityAsync(failed, None)).Should().BeTrue();

        var read = await Store.ReadActivityAsync(wallet, new ActivityQuery(null, 10), None);
        read.Should().BeEquivalentTo([full, failed], options => Exactly(options).WithStrictOrdering());
        read[0].ReceivedAt.Ticks.Should().Be(full.ReceivedAt.Ticks);
        read[1].BlockTime.Should().BeNull();
        read[1].PostLamports.Should().BeNull();
    }

    [StoreFact]
    public async Task An_activity_added_twice_is_recorded_once_and_the_first_one_stays()
    {
        var wallet = TestWallets.NewAddress();
        var first = TestWallets.Activity(wallet, "sig-dup", 10);

        (await Store.AddActivityAsync(first, None)).Should().BeTrue();
        (await Store.AddActivityAsync(first, None)).Should().BeFalse();
        (await Store.AddActivityAsync(first with { Slot = 11, Summary = "changed" }, None)).Should().BeFalse("the signature identifies the entry");

        var read = await Store.ReadActivityAsync(wallet, new ActivityQuery(null, 10), None);
        read.Should().ContainSingle().Which.Should().BeEquivalentTo(first, Exactly);
    }

    [StoreFact]
    public async Task One_transaction_is_recorded_for_each_wallet_it_involves()
    {
        var sender = TestWallets.NewAddress();
        var receiver = TestWallets.NewAddress();

        (await Store.AddActivityAsync(TestWallets.Activity(sender, "sig-shared", 10), None)).Should().BeTrue();
        (await Store.AddActivityAsync(TestWallets.Activity(receiver, "sig-shared", 10), None)).Should().BeTrue();

        (await Store.ReadActivityAsync(sender, new ActivityQuery(null, 10), None)).Should().ContainSingle().Which.Wallet.Should().Be(sender);
        (await Store.ReadActivityAsync(receiver, new ActivityQuery(null, 10), None)).Should().ContainSingle().Which.Wallet.Should().Be(receiver);
    }

    [StoreFact]
    public async Task Activity_is_newest_first_by_slot_then_by_when_it_was_added()
    {
        var wallet = await WalletWithActivityAsync();

        (await SignaturesAsync(wallet, null, 10)).Should().Equal(NewestFirst);
        (await SignaturesAsync(TestWallets.NewAddress(), null, 10)).Should().BeEmpty("another wallet has none");
    }

    [StoreFact]
    public async Task Paging_with_before_continues_strictly_after_that_entry_also_within_one_slot()
    {
        var wallet = await WalletWithActivityAsync();

        (await SignaturesAsync(wallet, null, 2)).Should().Equal("s5", "s4");
        (await SignaturesAsync(wallet, "s4", 2)).Should().Equal("s2", "s3");
        (await SignaturesAsync(wallet, "s3", 2)).Should().Equal("s1");
        (await SignaturesAsync(wallet, "s1", 2)).Should().BeEmpty();
        (await SignaturesAsync(wallet, "s5", 10)).Should().Equal("s4", "s2", "s3", "s1");
        (await SignaturesAsync(wallet, "s2", 10)).Should().Equal(["s3", "s1"], "s2 is the oldest of slot 12: what follows is older slots only");
    }

    [StoreFact]
    public async Task A_before_signature_the_wallet_does_not_have_gives_an_empty_page()
    {
        var wallet = await WalletWithActivityAsync();
        var other = TestWallets.NewAddress();
        await Store.AddActivityAsync(TestWallets.Activity(other, "other-sig", 100), None);

        (await SignaturesAsync(wallet, "no-such-signature", 10)).Should().BeEmpty();
        (await SignaturesAsync(wallet, "other-sig", 10)).Should().BeEmpty("the signature is another wallet's");
        (await SignaturesAsync(wallet, string.Empty, 10)).Should().Equal(NewestFirst, "an empty cursor is no cursor");
    }

    [StoreFact]
    public async Task The_page_size_is_clamped_to_between_one_and_the_maximum()
    {
        var wallet = TestWallets.NewAddress();
        for (var slot = 1UL; slot <= ActivityQuery.MaxLimit + 1; slot++)
        {
            await Store.AddActivityAsync(TestWallets.Activity(wallet, $"sig-{slot}", slot), None);
        }

        (await Store.ReadActivityAsync(wallet, new ActivityQuery(null, 0), None)).Should().ContainSingle().Which.Slot.Should().Be(ActivityQuery.MaxLimit + 1);
        (await Store.ReadActivityAsync(wallet, new ActivityQuery(null, -5), None)).Should().ContainSingle();
        var all = await Store.ReadActivityAsync(wallet, new ActivityQuery(null, int.MaxValue), None);
        all.Should().HaveCount(ActivityQuery.MaxLimit);
        all[^1].Slot.Should().Be(2, "the oldest entry is beyond the maximum page");
    }

    [StoreFact]
    public async Task Pruning_keeps_the_newest_entries_of_the_wallet_and_says_how_many_went()
    {
        var wallet = await WalletWithActivityAsync();
        var other = TestWallets.NewAddress();
        await Store.AddActivityAsync(TestWallets.Activity(other, "o1", 1), None);
        await Store.AddActivityAsync(TestWallets.Activity(other, "o2", 2), None);

        (await Store.PruneActivityAsync(wallet, 3, None)).Should().Be(2);
        (await SignaturesAsync(wallet, null, 10)).Should().Equal("s5", "s4", "s2");
        (await Store.PruneActivityAsync(wallet, 3, None)).Should().Be(0, "nothing beyond the newest three is left");
        (await Store.PruneActivityAsync(wallet, 10, None)).Should().Be(0);
        (await Store.PruneActivityAsync(wallet, 1, None)).Should().Be(2);
        (await SignaturesAsync(wallet, null, 10)).Should().Equal("s5");
        (await Store.PruneActivityAsync(TestWallets.NewAddress(), 1, None)).Should().Be(0);

        (await SignaturesAsync(other, null, 10)).Should().Equal("o2", "o1");
    }

    [StoreFact]
    public async Task Dead_letters_read_back_newest_first_of_one_wallet_or_of_all_at_most_the_limit()
    {
        var a = TestWallets.NewAddress();
        var b = TestWallets.NewAddress();
        var a1 = TestWallets.DeadLetter(a, "a1");
        var b1 = TestWallets.DeadLetter(b, "b1") with { Attempts = 1, FailedAt = DateTimeOffset.FromUnixTimeMilliseconds(1) };
        var a2 = TestWallets.DeadLetter(a, "a2");
        var a3 = TestWallets.DeadLetter(a, "a3");
        foreach (var letter in new[] { a1, b1, a2, a3 })
        {
            await Store.AddDeadLetterAsync(letter, None);
        }

        (await Store.ReadDeadLettersAsync(a, 10, None)).Should().Equal(a3, a2, a1);
        (await Store.ReadDeadLettersAsync(a, 2, None)).Should().Equal(a3, a2);
        (await Store.ReadDeadLettersAsync(b, 10, None)).Should().Equal(b1);
        (await Store.ReadDeadLettersAsync(null, 3, None)).Should().Equal(a3, a2, b1);
        (await Store.ReadDeadLettersAsync(TestWallets.NewAddress(), 10, None)).Should().BeEmpty();
    }

    [StoreFact]
    public async Task Missing_addresses_are_refused_with_an_argument_exception()
    {
        var query = new ActivityQuery(null, 10);
        var noWallet = TestWallets.Activity(string.Empty, "sig", 1);

        foreach (var address in new[] { null!, string.Empty })
        {
            await FluentActions.Awaiting(() => Store.ReadWalletAsync(address, None)).Should().ThrowAsync<ArgumentException>();
            await FluentActions.Awaiting(() => Store.ReadActivityAsync(address, query, None)).Should().ThrowAsync<ArgumentException>();
            await FluentActions.Awaiting(() => Store.PruneActivityAsync(address, 1, None)).Should().ThrowAsync<ArgumentException>();
            await FluentActions.Awaiting(() => Store.SaveWalletAsync(WalletState.Empty(address, TestWallets.At), None)).Should().ThrowAsync<ArgumentException>();
            await FluentActions.Awaiting(() => Store.AddDeadLetterAsync(TestWallets.DeadLetter(address, "sig"), None)).Should().ThrowAsync<ArgumentException>();
        }

        await FluentActions.Awaiting(() => Store.AddActivityAsync(noWallet, None)).Should().ThrowAsync<ArgumentException>().WithMessage("*wallet address*");
        await FluentActions.Awaiting(() => Store.AddActivityAsync(noWallet with { Wallet = "w", Signature = "" }, None)).Should().ThrowAsync<ArgumentException>();
        await FluentActions.Awaiting(() => Store.ReadDeadLettersAsync(string.Empty, 10, None)).Should().ThrowAsync<ArgumentException>();
    }

    [StoreFact]
    public async Task Counts_of_zero_or_less_are_refused_with_a_message_that_names_them()
    {
        var wallet = await WalletWithActivityAsync();

        foreach (var count in new[] { 0, -1 })
        {
            (await FluentActions.Awaiting(() => Store.PruneActivityAsync(wallet, count, None)).Should().ThrowAsync<ArgumentOutOfRangeException>())
                .Which.ParamName.Should().Be("keep");
            (await FluentActions.Awaiting(() => Store.ReadDeadLettersAsync(null, count, None)).Should().ThrowAsync<ArgumentOutOfRangeException>())
                .WithMessage("limit must be at least 1*").Which.ParamName.Should().Be("limit");
        }

        (await SignaturesAsync(wallet, null, 10)).Should().Equal(NewestFirst, "a refused prune deletes nothing");
    }

    /// <summary>The signatures of <see cref="WalletWithActivityAsync"/>'s entries, newest first.</summary>
    protected static readonly string[] NewestFirst = ["s5", "s4", "s2", "s3", "s1"];

    /// <summary>A fresh wallet with entries s1 (slot 10), s2 (12), s3 (11), s4 (12), s5 (12), added in that order.</summary>
    protected async Task<string> WalletWithActivityAsync(IWalletStore? store = null)
    {
        var wallet = TestWallets.NewAddress();
        foreach (var (signature, slot) in new[] { ("s1", 10UL), ("s2", 12UL), ("s3", 11UL), ("s4", 12UL), ("s5", 12UL) })
        {
            (await (store ?? Store).AddActivityAsync(TestWallets.Activity(wallet, signature, slot), None)).Should().BeTrue();
        }

        return wallet;
    }

    protected async Task<IEnumerable<string>> SignaturesAsync(string wallet, string? before, int limit, IWalletStore? store = null) =>
        (await (store ?? Store).ReadActivityAsync(wallet, new ActivityQuery(before, limit), None)).Select(a => a.Signature);

    /// <summary>Member by member, records included (their lists compare by reference otherwise).</summary>
    protected static EquivalencyAssertionOptions<T> Exactly<T>(EquivalencyAssertionOptions<T> options) =>
        options.ComparingRecordsByMembers();
}
