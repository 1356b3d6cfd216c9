using System.Text;
using AccountGrains.Runtime.Storage;

namespace AccountGrains.Runtime.Tests.Storage;

/// <summary>
/// What every <see cref="IAccountStore"/> must do, whatever database is behind it. A provider's test class derives
/// from this and supplies <see cref="CreateStore"/>. Nothing here may depend on one provider: tests use fresh pubkeys
/// so a shared database works, and the schema version is only compared with itself.
/// </summary>
public abstract class AccountStoreConformanceTests : IAsyncLifetime
{
    private static readonly CancellationToken None = CancellationToken.None;

    /// <summary>The store under test, migrated.</summary>
    protected IAccountStore Store { get; private set; } = null!;

    /// <summary>A new store instance over the same database each call (a second call stands for a restart).</summary>
    protected abstract IAccountStore CreateStore();

    public virtual async Task InitializeAsync()
    {
        Store = CreateStore();
        await Store.MigrateAsync(None);
    }

    public virtual Task DisposeAsync() => Task.CompletedTask;

    [Fact]
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

    [Fact]
    public async Task Reading_an_unknown_account_gives_null()
    {
        (await Store.ReadAsync(TestAccounts.NewPubkey(), None)).Should().BeNull();
    }

    [Fact]
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

    [Fact]
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

    [Fact]
    public async Task A_duplicate_is_not_applied()
    {
        var state = TestAccounts.State(TestAccounts.NewPubkey(), 100, 50);

        (await Store.WriteAsync([state], None)).Should().Be(1);
        (await Store.WriteAsync([state], None)).Should().Be(0);
        (await Store.WriteAsync([state with { Lamports = 1 }], None)).Should().Be(0, "same (slot, write_version) is a duplicate whatever it carries");

        await ShouldReadBackAsync(Store, state);
    }

    [Fact]
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

    [Fact]
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

    [Fact]
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

    [Fact]
    public async Task An_empty_batch_writes_nothing()
    {
        (await Store.WriteAsync([], None)).Should().Be(0);
    }

    [Fact]
    public async Task State_survives_a_restart()
    {
        var state = TestAccounts.State(TestAccounts.NewPubkey(), 77, 7);
        await Store.WriteAsync([state], None);

        var restarted = CreateStore();
        await restarted.MigrateAsync(None);

        await ShouldReadBackAsync(restarted, state);
        (await restarted.WriteAsync([TestAccounts.State(state.Pubkey, 77, 6)], None)).Should().Be(0, "the guard sees the stored row after a restart");
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
