using System.Buffers.Binary;
using System.Collections.Concurrent;
using AccountGrains.Grains.Ingest;
using AccountGrains.Grains.Ingest.Yellowstone;
using AccountGrains.Grains.Rpc;
using AccountGrains.Grains.Tests.Ingest;
using AccountGrains.Grains.Wallets;
using AccountGrains.Solana;
using AccountGrains.Testing.Transactions;
using Geyser;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace AccountGrains.Grains.Tests.Wallets;

/// <summary>Which wallet an upstream record concerns: own account, token accounts (open and closed), transactions.</summary>
public sealed class WalletRoutingTests : IAsyncDisposable
{
    private static readonly string System = WellKnownPrograms.System.ToString();
    private readonly InterestSet _interest = new();
    private readonly WalletTokenAccounts _tokenAccounts = new();
    private readonly RecordingGrains _grains = new();
    private readonly SolanaRpcAccess _rpc = new(Options.Create(new RpcEndpointOptions()), Options.Create(new AccountGrains.Solana.Rpc.SolanaRpcOptions()), NullLoggerFactory.Instance, TimeProvider.System);
    private readonly WalletRouter _router;

    public WalletRoutingTests() => _router = new WalletRouter(_interest, _tokenAccounts, _grains, _rpc, TimeProvider.System, NullLogger<WalletRouter>.Instance);

    [Fact]
    public void Reads_spl_token_and_token_2022_accounts_and_nothing_else()
    {
        var mint = TransactionBuilder.NewKey();
        var owner = TransactionBuilder.NewKey();
        var spl = TokenAccountData(mint, owner, 1_500_000);
        TokenAccount.TryRead(WellKnownPrograms.SplToken.ToString(), spl, out var account).Should().BeTrue();
        account.Should().Be(new TokenAccount(mint, owner, 1_500_000, WellKnownPrograms.SplToken));

        var withExtensions = TokenAccountData(mint, owner, 7, extra: 20);
        withExtensions[165] = 2; // account type: account
        TokenAccount.TryRead(WellKnownPrograms.Token2022.ToString(), withExtensions, out account).Should().BeTrue();
        account.Program.Should().Be(WellKnownPrograms.Token2022);

        var mint2022 = TokenAccountData(mint, owner, 7, extra: 20);
        mint2022[165] = 1; // account type: mint
        TokenAccount.TryRead(WellKnownPrograms.Token2022.ToString(), mint2022, out _).Should().BeFalse("a Token-2022 mint with extensions is not a token account");
        TokenAccount.TryRead(WellKnownPrograms.SplToken.ToString(), withExtensions, out _).Should().BeFalse("SPL Token accounts are exactly 165 bytes");
        TokenAccount.TryRead(System, spl, out _).Should().BeFalse();
        TokenAccount.TryRead(WellKnownPrograms.SplToken.ToString(), spl.AsSpan(0, 82), out _).Should().BeFalse("82 bytes is a mint");
    }

    [Fact]
    public void Routes_the_wallet_account_its_token_accounts_and_their_closing_and_stops_when_untracked()
    {
        var wallet = TransactionBuilder.NewKey();
        var stranger = TransactionBuilder.NewKey();
        var tokenAccount = TransactionBuilder.NewKey();
        var mint = TransactionBuilder.NewKey();
        _interest.Add(Interest.Wallet(wallet.ToString()));

        _router.WalletOf(Update(wallet, System, [])).Should().Be(wallet.ToString());
        _router.WalletOf(Update(stranger, System, [])).Should().BeNull();
        _router.WalletOf(Update(tokenAccount, WellKnownPrograms.SplToken.ToString(), TokenAccountData(mint, wallet, 5))).Should().Be(wallet.ToString());
        _router.WalletOf(Update(TransactionBuilder.NewKey(), WellKnownPrograms.SplToken.ToString(), TokenAccountData(mint, stranger, 5))).Should().BeNull();

        // Closed: the account no longer names its owner; the router remembers it.
        _router.WalletOf(Update(tokenAccount, System, [])).Should().Be(wallet.ToString());
        _tokenAccounts.Of(new HashSet<string> { wallet.ToString() }).Should().Equal(tokenAccount.ToString());

        _interest.Remove(Interest.Wallet(wallet.ToString()).Id);
        _router.WalletOf(Update(wallet, System, [])).Should().BeNull();
        _router.WalletOf(Update(tokenAccount, System, [])).Should().BeNull();
    }

    [Fact]
    public async Task A_transaction_reaches_each_tracked_wallet_it_involves_directly_or_through_a_token_account()
    {
        var sender = TransactionBuilder.NewKey();
        var receiver = TransactionBuilder.NewKey();
        var untracked = TransactionBuilder.NewKey();
        var receiverTokenAccount = TransactionBuilder.NewKey();
        var senderTokenAccount = TransactionBuilder.NewKey();
        var mint = TransactionBuilder.NewKey();
        _interest.Add(Interest.Wallet(sender.ToString()));
        _interest.Add(Interest.Wallet(receiver.ToString()));

        // The receiver is not an account key: only its token account is.
        var transaction = new TransactionBuilder { Slot = 900, Fee = 5_000 };
        transaction.Key(sender, 2_000_000_000, 1_999_995_000);
        var from = transaction.Key(senderTokenAccount, 2_039_280, 2_039_280);
        var to = transaction.Key(receiverTokenAccount, 2_039_280, 2_039_280);
        transaction.Unchanged(untracked);
        transaction.Unchanged(WellKnownPrograms.SplToken);
        transaction.Token(from, mint, sender, 10_000_000, 7_500_000, 6);
        transaction.Token(to, mint, receiver, 0, 2_500_000, 6);

        await _router.RouteAsync(transaction.Facts(TransactionSource.Yellowstone), CancellationToken.None);

        _grains.Activity.Keys.Should().BeEquivalentTo([sender.ToString(), receiver.ToString()]);
        var received = _grains.Activity[receiver.ToString()].Single();
        received.Signature.Should().Be(transaction.SignatureText);
        received.PostLamports.Should().BeNull("the receiver's own account is not in the transaction");
        received.TokenChanges.Should().ContainSingle().Which.Should().BeEquivalentTo(new { Mint = mint.ToString(), RawChange = "2500000", Amount = "2.5", Decimals = 6 });
        received.PostHoldings.Should().ContainSingle().Which.Should().BeEquivalentTo(new { TokenAccount = receiverTokenAccount.ToString(), RawAmount = 2_500_000UL, Amount = "2.5", Slot = 900UL });
        var sent = _grains.Activity[sender.ToString()].Single();
        sent.PostLamports.Should().Be(1_999_995_000);
        sent.PaidFee.Should().BeTrue();

        // Both token accounts are now known, so the upstream filter can name them.
        _tokenAccounts.Of(new HashSet<string> { receiver.ToString() }).Should().Equal(receiverTokenAccount.ToString());
    }

    [Fact]
    public void The_wallet_transaction_filter_names_known_token_accounts()
    {
        var wallet = Keys.Base58(31);
        var tokenAccount = Keys.Base58(32);
        var request = SubscribeRequestBuilder.Build([Interest.Wallet(wallet)], UpstreamCommitment.Confirmed, null, [tokenAccount]);

        request.Transactions[SubscribeRequestBuilder.WalletTransactionsFilter].AccountInclude.Should().Equal(wallet, tokenAccount);
        SubscribeRequestBuilder.Build([Interest.Account(wallet)], UpstreamCommitment.Confirmed, null, [tokenAccount])
            .Transactions.Should().BeEmpty("token accounts alone never open a transaction filter");
    }

    [Fact]
    public void Transactions_wait_for_their_block_time_or_their_slot_to_complete()
    {
        var join = new BlockTimeJoin();
        var first = Transaction(100);
        var second = Transaction(100);
        var later = Transaction(101);

        join.OnTransaction(first).Should().BeEmpty();
        join.OnTransaction(second).Should().BeEmpty();
        join.OnTransaction(later).Should().BeEmpty();
        join.OnBlockMeta(100, 1_700_000_100).Should().Equal(new BlockTimeJoin.Released(first, 1_700_000_100), new BlockTimeJoin.Released(second, 1_700_000_100));

        // A late transaction of a slot whose time is known goes at once.
        var late = Transaction(100);
        join.OnTransaction(late).Should().Equal(new BlockTimeJoin.Released(late, 1_700_000_100));

        // No block meta for 101: released when a later slot completes, without a time.
        join.OnSlotComplete(102).Should().Equal(new BlockTimeJoin.Released(later, null));
        join.OnSlotComplete(102).Should().BeEmpty();

        join.OnTransaction(Transaction(200)).Should().BeEmpty();
        join.Clear();
        join.OnBlockMeta(200, 5).Should().BeEmpty("a new stream replays what waited");
    }

    [Fact]
    public void Too_many_waiting_transactions_release_the_oldest_slot_early()
    {
        var join = new BlockTimeJoin();
        var oldest = Transaction(1);
        join.OnTransaction(oldest);
        for (var i = 1; i < BlockTimeJoin.MaxPending; i++)
        {
            join.OnTransaction(Transaction(2)).Should().BeEmpty();
        }

        var released = join.OnTransaction(Transaction(3));
        released.Should().Equal(new BlockTimeJoin.Released(oldest, null));
    }

    private static SubscribeUpdateTransaction Transaction(ulong slot) => new() { Slot = slot, Transaction = new SubscribeUpdateTransactionInfo() };

    private static AccountUpdate Update(Pubkey pubkey, string owner, byte[] data) =>
        new(pubkey.ToString(), owner, data.Length == 0 ? 0UL : 2_039_280UL, data, false, 0, 10, 1, null, DateTimeOffset.UtcNow);

    internal static byte[] TokenAccountData(Pubkey mint, Pubkey owner, ulong amount, int extra = 0)
    {
        var data = new byte[165 + extra];
        mint.ToArray().CopyTo(data, 0);
        owner.ToArray().CopyTo(data, 32);
        BinaryPrimitives.WriteUInt64LittleEndian(data.AsSpan(64), amount);
        data[108] = 1; // initialized
        return data;
    }

    public async ValueTask DisposeAsync() => await _rpc.DisposeAsync();

    /// <summary>A grain factory whose wallet grains record what they are handed.</summary>
    private sealed class RecordingGrains : IGrainFactory
    {
        public ConcurrentDictionary<string, ConcurrentQueue<WalletActivityEntry>> Activity { get; } = new();

        public TGrain Get<TGrain>(string key)
            where TGrain : IGrain =>
            typeof(TGrain) == typeof(IWalletGrain)
                ? (TGrain)(object)new RecordingWallet(Activity.GetOrAdd(key, _ => new()))
                : throw new InvalidOperationException($"unexpected grain {typeof(TGrain).Name}");
    }

    private sealed class RecordingWallet(ConcurrentQueue<WalletActivityEntry> activity) : IWalletGrain
    {
        public Task ApplyActivityAsync(WalletActivityEntry entry)
        {
            activity.Enqueue(entry);
            return Task.CompletedTask;
        }

        public Task ApplyAccountAsync(AccountUpdate update) => Task.CompletedTask;

        public Task<WalletState> TrackAsync(WalletTrackRequest request) => throw new NotSupportedException();

        public Task<WalletState> UntrackAsync(string tracker) => throw new NotSupportedException();

        public Task<WalletState> GetAsync() => throw new NotSupportedException();

        public Task<IReadOnlyList<WalletActivityEntry>> GetActivityAsync(ActivityQuery query) => throw new NotSupportedException();

        public Task<IReadOnlyList<NotificationDeadLetter>> GetDeadLettersAsync(int limit) => throw new NotSupportedException();
    }
}
