using System.Text;
using AccountGrains.Runtime.Storage;
using AccountGrains.Runtime.Storage.AdoNet;
using AccountGrains.Runtime.Tests.TestSupport;

namespace AccountGrains.Runtime.Tests.Storage;

/// <summary>
/// What every <see cref="IAccountStore"/> must do, whatever database is behind it. A provider's test class derives
/// from this and supplies <see cref="NewStore"/>. Nothing here may depend on one provider: tests use fresh pubkeys
/// so a shared database works, and the schema version is only compared with itself. Tests are
/// <see cref="StoreFactAttribute"/>s so a provider that needs a server can skip them all when it has none.
/// </summary>
public abstract class AccountStoreConformanceTests : IAsyncLifetime
{
    private static readonly CancellationToken None = CancellationToken.None;
    private readonly OpenedStores _stores = new();

    /// <summary>The store under test, migrated.</summary>
    protected IAccountStore Store { get; private set; } = null!;

    /// <summary>A new store instance over the same database each call (a second call stands for a restart).</summary>
    protected abstract AdoNetAccountStore NewStore(bool keepHistory, TimeProvider time);

    /// <summary>A new store over the same database, disposed with the test.</summary>
    protected AdoNetAccountStore CreateStore(bool keepHistory = false, TimeProvider? time = null) =>
        _stores.Add(NewStore(keepHistory, time ?? TimeProvider.System));

    /// <summary>A migrated store writing at lease <paramref name="epoch"/>.</summary>
    protected async Task<AdoNetAccountStore> StoreAtEpochAsync(long epoch)
    {
        var store = CreateStore();
        store.Epoch = epoch;
        await store.MigrateAsync(None);
        return store;
    }

    public virtual async Task InitializeAsync()
    {
        Store = CreateStore();
        await Store.MigrateAsync(None);
    }

    public virtual async Task DisposeAsync() => await _stores.DisposeAsync();

    [StoreFact]
    public async Task Migrating_again_changes_nothing_and_returns_the_same_version()
    {
        var state = TestAccounts.State(TestAccounts.NewPubkey(), 10, 1);
        await Store.WriteAsync([state], None);

        var first = await Store.MigrateAsync(None);
        var second = await Store.MigrateAsync(None);
        var fromNewInstance = await CreateStore().MigrateAsync(None);

        first.Should().BePositive();
        second.Should().Be(first);
        fromNewInstance.Should().Be(first);
        (await Store.ReadAsync(state.Pubkey, None)).Should().NotBeNull();
    }

    [StoreFact]
    public async Task Reading_an_unknown_account_gives_null()
    {
        (await Store.ReadAsync(TestAccounts.NewPubkey(), None)).Should().BeNull();
    }

    [StoreFact]
    public async Task A_written_state_reads_back_with_every_field_exact()
    {
        var full = new AccountState(
            Pubkey: TestAccounts.NewPubkey(),
            Owner: "11111111111111111111111111111111",
            Lamports: 9_000_000_000_000_000_000,
            Data: [0, 1, 2, 0xfe, 0xff, 0],
            Executable: true,
            RentEpoch: ulong.MaxValue,
            Slot: 312_456_789,
            WriteVersion: 1_234_567_890_123,
            TxnSignature: "5VERv8NMvzbJMEkV8xnrLkEaWRtSz9CosKDYjCJjBRnbJLgp8uirBgmQpjKhoR4tjF3ZpRzrFmBV6UjKdiSZkQUW",
            Decoded: new DecodedAccount("system", "unknown", Encoding.UTF8.GetBytes("{\"ok\":false,\"n\":\"ü€\"}"), "data is 6 bytes; expected 165 — ünïcödé"),
            CreatedAt: DateTimeOffset.FromUnixTimeMilliseconds(1_712_345_678_901));
        var empty = new AccountState(
            Pubkey: TestAccounts.NewPubkey(),
            Owner: "Vote111111111111111111111111111111111111111",
            Lamports: 0,
            Data: [],
            Executable: false,
            RentEpoch: 0,
            Slot: 1,
            WriteVersion: 0,
            TxnSignature: null,
            Decoded: new DecodedAccount("vote", "closed", [], null),
            CreatedAt: DateTimeOffset.FromUnixTimeMilliseconds(0));

        (await Store.WriteAsync([full, empty], None)).Should().Be(2);

        await ShouldReadBackAsync(Store, full);
        await ShouldReadBackAsync(Store, empty);
    }

    [StoreFact]
    public async Task An_older_state_is_not_applied()
    {
        var pubkey = TestAccounts.NewPubkey();
        var stored = TestAccounts.State(pubkey, slot: 100, writeVersion: 50, lamports: 5);

        await Store.WriteAsync([stored], None);
        var olderSlotHigherVersion = await Store.WriteAsync([TestAccounts.State(pubkey, 99, 1_000, lamports: 7)], None);
        var sameSlotOlderVersion = await Store.WriteAsync([TestAccounts.State(pubkey, 100, 49, lamports: 8)], None);

        olderSlotHigherVersion.Should().Be(0);
        sameSlotOlderVersion.Should().Be(0);
        await ShouldReadBackAsync(Store, stored);
    }

    [StoreFact]
    public async Task A_duplicate_is_not_applied()
    {
        var state = TestAccounts.State(TestAccounts.NewPubkey(), 100, 50);

        (await Store.WriteAsync([state], None)).Should().Be(1);
        (await Store.WriteAsync([state], None)).Should().Be(0);
        (await Store.WriteAsync([state with { Lamports = 1 }], None)).Should().Be(0, "same (slot, write_version) is a duplicate whatever it carries");

        await ShouldReadBackAsync(Store, state);
    }

    [StoreFact]
    public async Task A_newer_state_is_applied_whether_by_write_version_or_by_slot()
    {
        var pubkey = TestAccounts.NewPubkey();
        await Store.WriteAsync([TestAccounts.State(pubkey, 100, 50)], None);

        var sameSlotNewerVersion = TestAccounts.State(pubkey, 100, 51, lamports: 2);
        (await Store.WriteAsync([sameSlotNewerVersion], None)).Should().Be(1);
        await ShouldReadBackAsync(Store, sameSlotNewerVersion);

        var newerSlotLowerVersion = TestAccounts.State(pubkey, 101, 0, lamports: 3);
        (await Store.WriteAsync([newerSlotLowerVersion], None)).Should().Be(1);
        await ShouldReadBackAsync(Store, newerSlotLowerVersion);
    }

    [StoreFact]
    public async Task A_batch_with_one_account_several_times_keeps_the_newest()
    {
        var pubkey = TestAccounts.NewPubkey();
        var other = TestAccounts.State(TestAccounts.NewPubkey(), 5, 5);
        var newest = TestAccounts.State(pubkey, 20, 3, lamports: 3);
        AccountState[] batch =
        [
            TestAccounts.State(pubkey, 20, 1, lamports: 1),
            newest,
            other,
            TestAccounts.State(pubkey, 19, 9, lamports: 9),
            TestAccounts.State(pubkey, 20, 2, lamports: 2),
        ];

        await Store.WriteAsync(batch, None);

        await ShouldReadBackAsync(Store, newest);
        await ShouldReadBackAsync(Store, other);
    }

    [StoreFact]
    public async Task A_batch_larger_than_one_statement_is_written_completely()
    {
        var states = Enumerable.Range(0, 5000)
            .Select(i => TestAccounts.State(TestAccounts.NewPubkey(), (ulong)(1000 + i), (ulong)i, lamports: (ulong)i))
            .ToArray();

        (await Store.WriteAsync(states, None)).Should().Be(5000);

        foreach (var state in states)
        {
            var read = await Store.ReadAsync(state.Pubkey, None);
            read.Should().NotBeNull();
            read!.Token.Should().Be(state.Token);
            read.Lamports.Should().Be(state.Lamports);
        }
    }

    [StoreFact]
    public async Task An_empty_batch_writes_nothing()
    {
        (await Store.WriteAsync([], None)).Should().Be(0);
    }

    [StoreFact]
    public async Task State_survives_a_restart()
    {
        var state = TestAccounts.State(TestAccounts.NewPubkey(), 77, 7);
        await Store.WriteAsync([state], None);

        var restarted = CreateStore();
        await restarted.MigrateAsync(None);

        await ShouldReadBackAsync(restarted, state);
        (await restarted.WriteAsync([TestAccounts.State(state.Pubkey, 77, 6)], None)).Should().Be(0, "the guard sees the stored row after a restart");
    }

    [StoreFact]
    public async Task A_write_with_a_lower_epoch_is_ignored_even_when_its_token_is_newer()
    {
        var newOwner = await StoreAtEpochAsync(2);
        var staleOwner = await StoreAtEpochAsync(1);
        var pubkey = TestAccounts.NewPubkey();
        var stored = TestAccounts.State(pubkey, 100, 5, lamports: 1);
        await newOwner.WriteAsync([stored], None);

        (await staleOwner.WriteAsync([TestAccounts.State(pubkey, 101, 0, lamports: 2)], None)).Should().Be(0, "a stale owner never overwrites a newer owner's row");

        await ShouldReadBackAsync(newOwner, stored);
    }

    [StoreFact]
    public async Task A_write_with_the_same_epoch_proceeds_by_token()
    {
        var owner = await StoreAtEpochAsync(3);
        var sameEpoch = await StoreAtEpochAsync(3);
        var pubkey = TestAccounts.NewPubkey();
        await owner.WriteAsync([TestAccounts.State(pubkey, 100, 5)], None);

        var newer = TestAccounts.State(pubkey, 100, 6, lamports: 2);
        (await sameEpoch.WriteAsync([newer], None)).Should().Be(1);
        (await owner.WriteAsync([TestAccounts.State(pubkey, 100, 5, lamports: 3)], None)).Should().Be(0);

        await ShouldReadBackAsync(owner, newer);
    }

    [StoreFact]
    public async Task Each_row_carries_the_epoch_of_its_own_partition_within_one_batch()
    {
        // A silo owns partitions at different epochs; one write-behind batch mixes their accounts.
        var high = TestAccounts.NewPubkey();
        var low = TestAccounts.NewPubkey();
        var silo = await StoreAtEpochAsync(0);
        silo.EpochOf = pubkey => pubkey == high ? 9 : 2;
        await silo.WriteAsync([TestAccounts.State(high, 100, 1), TestAccounts.State(low, 100, 1)], None);

        // Another silo now owns the low-epoch partition at epoch 3: its writes go in; at epoch 3 the high one refuses it.
        var next = await StoreAtEpochAsync(3);
        var lowNewer = TestAccounts.State(low, 101, 0, lamports: 5);
        (await next.WriteAsync([lowNewer], None)).Should().Be(1, "row {0} was written at its partition's epoch 2, not the store's other epoch 9", low);
        (await next.WriteAsync([TestAccounts.State(high, 101, 0, lamports: 6)], None)).Should().Be(0, "row {0} carries epoch 9", high);

        await ShouldReadBackAsync(next, lowNewer);
    }

    [StoreFact]
    public async Task A_write_with_a_higher_epoch_still_needs_a_newer_token()
    {
        var oldOwner = await StoreAtEpochAsync(4);
        var newOwner = await StoreAtEpochAsync(5);
        var pubkey = TestAccounts.NewPubkey();
        var stored = TestAccounts.State(pubkey, 100, 5, lamports: 1);
        await oldOwner.WriteAsync([stored], None);

        (await newOwner.WriteAsync([TestAccounts.State(pubkey, 99, 9, lamports: 2)], None)).Should().Be(0, "an account never moves backwards");
        await ShouldReadBackAsync(newOwner, stored);

        var newer = TestAccounts.State(pubkey, 101, 0, lamports: 3);
        (await newOwner.WriteAsync([newer], None)).Should().Be(1);
        (await oldOwner.WriteAsync([TestAccounts.State(pubkey, 102, 0, lamports: 4)], None)).Should().Be(0, "the row now carries the newer epoch");
        await ShouldReadBackAsync(oldOwner, newer);
    }

    [StoreFact]
    public async Task The_interest_set_is_stored_once_per_id_deleted_and_kept_across_a_restart()
    {
        var ingest = (IIngestStateStore)Store;
        var account = Interest.Account(TestAccounts.NewPubkey());
        var program = Interest.Program(TestAccounts.NewPubkey(), AccountFilter.OfDataSize(165), AccountFilter.Memcmp(32, "3xyZ"));
        var wallet = Interest.Wallet(TestAccounts.NewPubkey());

        await ingest.SaveInterestAsync(account, None);
        await ingest.SaveInterestAsync(program, None);
        await ingest.SaveInterestAsync(program, None);
        await ingest.SaveInterestAsync(wallet, None);
        (await ingest.DeleteInterestAsync(wallet.Id, None)).Should().BeTrue();
        (await ingest.DeleteInterestAsync(wallet.Id, None)).Should().BeFalse();

        var restarted = CreateStore();
        await restarted.MigrateAsync(None);
        var read = await restarted.ReadInterestAsync(None);

        read.Should().Contain(account).And.Contain(program).And.NotContain(wallet);
        read.Count(i => i.Equals(program)).Should().Be(1);
        var readProgram = read.Single(i => i.Equals(program));
        readProgram.Kind.Should().Be(InterestKind.Program);
        readProgram.Filters.Should().Equal(program.Filters);
    }

    [StoreFact]
    public async Task A_checkpoint_is_absent_until_saved_then_follows_the_last_save_across_a_restart()
    {
        var ingest = (IIngestStateStore)Store;
        var source = "source-" + Guid.NewGuid().ToString("N");

        (await ingest.ReadCheckpointAsync(source, None)).Should().BeNull();
        await ingest.SaveCheckpointAsync(source, 1_000, None);
        await ingest.SaveCheckpointAsync(source, 999, None);
        (await ingest.ReadCheckpointAsync(source, None)).Should().Be(999, "a checkpoint is what was saved last, not the highest");
        await ingest.SaveCheckpointAsync(source, ulong.MaxValue - 1, None);

        var restarted = CreateStore();
        await restarted.MigrateAsync(None);
        (await restarted.ReadCheckpointAsync(source, None)).Should().Be(ulong.MaxValue - 1);
    }

    [StoreFact]
    public async Task History_is_not_written_unless_it_is_on()
    {
        var state = TestAccounts.State(TestAccounts.NewPubkey(), 10, 1);

        await Store.WriteAsync([state], None);

        (await ((IAccountHistoryStore)Store).ReadHistoryAsync(state.Pubkey, 10, None)).Should().BeEmpty();
    }

    [StoreFact]
    public async Task With_history_on_every_state_that_changed_the_account_is_recorded_and_no_other()
    {
        var store = CreateStore(keepHistory: true);
        await store.MigrateAsync(None);
        var pubkey = TestAccounts.NewPubkey();
        var first = TestAccounts.State(pubkey, 10, 1, lamports: 1);
        var second = TestAccounts.State(pubkey, 11, 0, lamports: 2) with { TxnSignature = null };
        var third = TestAccounts.State(pubkey, 11, 4, lamports: 4);
        var other = TestAccounts.State(TestAccounts.NewPubkey(), 11, 4);

        await store.WriteAsync([first], None);
        await store.WriteAsync([second, other], None);
        await store.WriteAsync([first, second], None);
        await store.WriteAsync([TestAccounts.State(pubkey, 11, 3, lamports: 3), third], None);

        var history = await store.ReadHistoryAsync(pubkey, 10, None);
        history.Select(h => (h.Slot, h.WriteVersion, h.Lamports)).Should().Equal((11UL, 4UL, 4UL), (11UL, 0UL, 2UL), (10UL, 1UL, 1UL));
        var newest = history[0];
        newest.Pubkey.Should().Be(pubkey);
        newest.Owner.Should().Be(third.Owner);
        newest.Data.Should().Equal(third.Data);
        newest.TxnSignature.Should().Be(third.TxnSignature);
        history[1].TxnSignature.Should().BeNull();
        newest.WrittenAt.Should().BeCloseTo(DateTimeOffset.UtcNow, TimeSpan.FromMinutes(1));
        (await store.ReadHistoryAsync(pubkey, 1, None)).Should().ContainSingle().Which.Slot.Should().Be(11);
        (await store.ReadHistoryAsync(other.Pubkey, 10, None)).Should().ContainSingle();
    }

    [StoreFact]
    public async Task History_is_not_written_for_a_write_the_epoch_guard_refused()
    {
        var newOwner = CreateStore(keepHistory: true);
        newOwner.Epoch = 8;
        await newOwner.MigrateAsync(None);
        var staleOwner = CreateStore(keepHistory: true);
        staleOwner.Epoch = 7;
        var pubkey = TestAccounts.NewPubkey();

        await newOwner.WriteAsync([TestAccounts.State(pubkey, 10, 1)], None);
        await staleOwner.WriteAsync([TestAccounts.State(pubkey, 12, 1)], None);

        (await newOwner.ReadHistoryAsync(pubkey, 10, None)).Should().ContainSingle().Which.Slot.Should().Be(10);
    }

    [StoreFact]
    public async Task Pruning_deletes_the_history_written_before_the_cutoff_and_keeps_the_rest()
    {
        var clock = new ManualTime(new DateTimeOffset(2001, 1, 1, 0, 0, 0, TimeSpan.Zero));
        var store = CreateStore(keepHistory: true, clock);
        await store.MigrateAsync(None);
        var pubkey = TestAccounts.NewPubkey();
        await store.WriteAsync([TestAccounts.State(pubkey, 1, 0)], None);
        clock.Now = clock.Now.AddDays(1);
        await store.WriteAsync([TestAccounts.State(pubkey, 2, 0)], None);
        clock.Now = clock.Now.AddDays(1);
        await store.WriteAsync([TestAccounts.State(pubkey, 3, 0)], None);

        var pruned = await store.PruneHistoryAsync(new DateTimeOffset(2001, 1, 2, 0, 0, 0, TimeSpan.Zero), None);

        pruned.Should().Be(1, "only the entry written on 2001-01-01 is older than the cutoff");
        (await store.ReadHistoryAsync(pubkey, 10, None)).Select(h => h.Slot).Should().Equal(3UL, 2UL);
        (await store.ReadAsync(pubkey, None))!.Slot.Should().Be(3, "pruning touches the history only");
    }

    protected static async Task ShouldReadBackAsync(IAccountStore store, AccountState expected)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(expected);
        var maybe = await store.ReadAsync(expected.Pubkey, None);
        maybe.Should().NotBeNull();
        var read = maybe!;

        read.Should().BeEquivalentTo(expected, options => options.ComparingByMembers<AccountState>().ComparingByMembers<DecodedAccount>());
        read.Data.Should().Equal(expected.Data);
        read.Decoded.FieldsJson.Should().Equal(expected.Decoded.FieldsJson);
        read.RentEpoch.Should().Be(expected.RentEpoch);
        read.Lamports.Should().Be(expected.Lamports);
        read.TxnSignature.Should().Be(expected.TxnSignature);
        read.Decoded.Error.Should().Be(expected.Decoded.Error);
        read.CreatedAt.Should().Be(expected.CreatedAt);
    }
}

/// <summary>A clock the test sets.</summary>
internal sealed class ManualTime(DateTimeOffset now) : TimeProvider
{
    public DateTimeOffset Now { get; set; } = now;

    public override DateTimeOffset GetUtcNow() => Now;
}
