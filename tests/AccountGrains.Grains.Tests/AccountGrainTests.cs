using System.Text.Json;
using AccountGrains.Solana;

namespace AccountGrains.Grains.Tests;

public sealed class AccountGrainTests : IAsyncLifetime
{
    private const string SystemProgram = "11111111111111111111111111111111";
    private const string TokenProgram = "TokenkegQfeZyiNwAJbNbGKPFXCWuBvf9Ss623VQ5DA";
    private TestSilo _silo = null!;

    public async Task InitializeAsync() => _silo = await TestSilo.StartAsync();

    public async Task DisposeAsync() => await _silo.DisposeAsync();

    private static string NewPubkey()
    {
        var bytes = new byte[32];
        Random.Shared.NextBytes(bytes);
        return Base58.Encode(bytes);
    }

    private static AccountUpdate Update(string pubkey, ulong slot, ulong writeVersion, ulong lamports = 1, string owner = SystemProgram, byte[]? data = null) =>
        new(pubkey, owner, lamports, data ?? [], false, 0, slot, writeVersion, null, DateTimeOffset.UtcNow);

    [Fact]
    public async Task Newer_update_is_applied_and_becomes_the_state()
    {
        var pubkey = NewPubkey();
        var grain = _silo.Grains.Get<IAccountGrain>(pubkey);
        (await grain.ApplyAndReportAsync(Update(pubkey, 10, 1, lamports: 5))).Should().Be(ApplyOutcome.Applied);
        (await grain.ApplyAndReportAsync(Update(pubkey, 10, 2, lamports: 6))).Should().Be(ApplyOutcome.Applied);
        (await grain.ApplyAndReportAsync(Update(pubkey, 11, 0, lamports: 7))).Should().Be(ApplyOutcome.Applied);
        var snapshot = await grain.GetSnapshotAsync();
        snapshot.State!.Lamports.Should().Be(7);
        snapshot.State.Token.Should().Be(new StreamToken(11, 0));
    }

    [Fact]
    public async Task Update_with_older_write_version_is_dropped()
    {
        var pubkey = NewPubkey();
        var grain = _silo.Grains.Get<IAccountGrain>(pubkey);
        await grain.ApplyAndReportAsync(Update(pubkey, 10, 5, lamports: 5));
        (await grain.ApplyAndReportAsync(Update(pubkey, 10, 4, lamports: 4))).Should().Be(ApplyOutcome.Stale);
        (await grain.ApplyAndReportAsync(Update(pubkey, 9, 99, lamports: 9))).Should().Be(ApplyOutcome.Stale);
        (await grain.GetSnapshotAsync()).State!.Lamports.Should().Be(5);
    }

    [Fact]
    public async Task Duplicate_update_is_dropped()
    {
        var pubkey = NewPubkey();
        var grain = _silo.Grains.Get<IAccountGrain>(pubkey);
        await grain.ApplyAndReportAsync(Update(pubkey, 10, 5, lamports: 5));
        (await grain.ApplyAndReportAsync(Update(pubkey, 10, 5, lamports: 5))).Should().Be(ApplyOutcome.Duplicate);
    }

    [Fact]
    public async Task An_update_sent_to_the_wrong_grain_is_refused()
    {
        var grain = _silo.Grains.Get<IAccountGrain>(NewPubkey());
        var act = () => grain.ApplyAndReportAsync(Update(NewPubkey(), 1, 1));
        await act.Should().ThrowAsync<ArgumentException>().WithMessage("*was sent to account grain*");
    }

    [Fact]
    public async Task A_closed_account_is_a_state_not_an_error()
    {
        var pubkey = NewPubkey();
        var grain = _silo.Grains.Get<IAccountGrain>(pubkey);
        await grain.ApplyAndReportAsync(Update(pubkey, 1, 1, lamports: 2_039_280, owner: TokenProgram, data: TokenAccount(amount: 10)));
        (await grain.ApplyAndReportAsync(Update(pubkey, 2, 2, lamports: 0))).Should().Be(ApplyOutcome.Applied);
        var state = (await grain.GetSnapshotAsync()).State!;
        state.IsClosed.Should().BeTrue();
        state.Decoded.AccountType.Should().Be("system_account");
        state.Decoded.Error.Should().BeNull();
    }

    [Fact]
    public async Task Token_account_data_is_decoded_into_fields()
    {
        var pubkey = NewPubkey();
        var grain = _silo.Grains.Get<IAccountGrain>(pubkey);
        await grain.ApplyAndReportAsync(Update(pubkey, 1, 1, owner: TokenProgram, data: TokenAccount(amount: 123_456_789)));
        var decoded = (await grain.GetSnapshotAsync()).State!.Decoded;
        decoded.Program.Should().Be("spl-token");
        decoded.AccountType.Should().Be("token_account");
        using var fields = JsonDocument.Parse(decoded.FieldsJson);
        fields.RootElement.GetProperty("amount").GetString().Should().Be("123456789");
        fields.RootElement.GetProperty("state").GetString().Should().Be("initialized");
    }

    [Fact]
    public async Task Undecodable_data_keeps_the_raw_bytes_and_says_why()
    {
        var pubkey = NewPubkey();
        var grain = _silo.Grains.Get<IAccountGrain>(pubkey);
        var garbage = new byte[] { 1, 2, 3, 4, 5, 6, 7 };
        (await grain.ApplyAndReportAsync(Update(pubkey, 1, 1, owner: TokenProgram, data: garbage))).Should().Be(ApplyOutcome.Applied);
        var state = (await grain.GetSnapshotAsync()).State!;
        state.Decoded.AccountType.Should().Be(DecodedAccount.UnknownType);
        state.Decoded.Error.Should().NotBeNullOrEmpty();
        state.Data.Should().Equal(garbage);

        // The grain keeps working after bad bytes.
        (await grain.ApplyAndReportAsync(Update(pubkey, 2, 2, owner: TokenProgram, data: TokenAccount(amount: 1)))).Should().Be(ApplyOutcome.Applied);
    }

    [Fact]
    public async Task An_idle_account_is_collected_and_reloads_its_state_from_storage()
    {
        var pubkey = NewPubkey();
        var grain = _silo.Grains.Get<IAccountGrain>(pubkey);
        await grain.ApplyAndReportAsync(Update(pubkey, 42, 7, lamports: 4242, owner: TokenProgram, data: TokenAccount(amount: 77)));
        (await grain.GetSnapshotAsync()).Source.Should().Be(SnapshotSource.Cache);

        await Waits.UntilAsync(() => _silo.Catalog.CollectIdle(TimeSpan.Zero) > 0 || _silo.Catalog.ActivationCount == 0);
        await Waits.UntilAsync(() => _silo.Catalog.ActivationCount == 0);

        var reloaded = await grain.GetSnapshotAsync();
        reloaded.Source.Should().Be(SnapshotSource.Database);
        reloaded.State!.Lamports.Should().Be(4242);
        reloaded.State.Token.Should().Be(new StreamToken(42, 7));
        reloaded.State.Decoded.AccountType.Should().Be("token_account");
        (await grain.GetSnapshotAsync()).Source.Should().Be(SnapshotSource.Cache);

        // The reloaded state still guards order.
        (await grain.ApplyAndReportAsync(Update(pubkey, 41, 100))).Should().Be(ApplyOutcome.Stale);
    }

    [Fact]
    public async Task Applied_updates_are_published_on_the_account_and_program_streams()
    {
        var pubkey = NewPubkey();
        var onAccount = new List<AccountChanged>();
        var onProgram = new List<AccountChanged>();
        await using var accountSubscription = await _silo.Streams.SubscribeAsync(StreamId.ForAccount(pubkey), c => { lock (onAccount) { onAccount.Add(c); } return ValueTask.CompletedTask; });
        await using var programSubscription = await _silo.Streams.SubscribeAsync(StreamId.ForProgram(TokenProgram), c => { lock (onProgram) { onProgram.Add(c); } return ValueTask.CompletedTask; });
        var grain = _silo.Grains.Get<IAccountGrain>(pubkey);
        await grain.ApplyAndReportAsync(Update(pubkey, 1, 1, owner: TokenProgram, data: TokenAccount(amount: 1)));
        await grain.ApplyAndReportAsync(Update(pubkey, 1, 1, owner: TokenProgram, data: TokenAccount(amount: 1)));
        await grain.ApplyAndReportAsync(Update(pubkey, 2, 2, owner: TokenProgram, data: TokenAccount(amount: 2)));
        onAccount.Select(c => c.State.Slot).Should().Equal(1UL, 2UL);
        onProgram.Where(c => c.State.Pubkey == pubkey).Select(c => c.State.Slot).Should().Equal(1UL, 2UL);
    }

    /// <summary>A 165-byte SPL token account: mint, owner, amount, no delegate, initialized.</summary>
    private static byte[] TokenAccount(ulong amount)
    {
        var data = new byte[165];
        Random.Shared.NextBytes(data.AsSpan(0, 64));
        BitConverter.TryWriteBytes(data.AsSpan(64, 8), amount);
        data[108] = 1;
        return data;
    }
}
