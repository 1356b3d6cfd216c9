using AccountGrains.Runtime.Streams;
using AccountGrains.Runtime.Tests.Messaging.Wire;
using Microsoft.Extensions.Logging.Abstractions;

namespace AccountGrains.Runtime.Tests.Streams;

public sealed class InProcessStreamProviderTests
{
    private static readonly StreamId Wallet = StreamId.ForWallet(WireSamples.Wallet);

    private readonly InProcessStreamProvider _streams = new(NullLogger<InProcessStreamProvider>.Instance);

    [Fact]
    public async Task Wallet_handlers_get_wallet_events_and_account_handlers_on_the_same_stream_do_not()
    {
        var wallets = new List<WalletChanged>();
        var accounts = new List<AccountChanged>();
        await using var walletSubscription = await _streams.SubscribeWalletAsync(Wallet, c => Add(wallets, c));
        await using var accountSubscription = await _streams.SubscribeAsync(Wallet, c => Add(accounts, c));

        var change = WireSamples.WalletChange(sequence: 1);
        await _streams.PublishAsync(Wallet, change);

        wallets.Should().Equal(change);
        accounts.Should().BeEmpty();

        var account = new AccountChanged(WireSamples.State());
        await _streams.PublishAsync(Wallet, account);

        accounts.Should().Equal(account);
        wallets.Should().Equal(change);
    }

    [Fact]
    public async Task A_disposed_wallet_subscription_gets_nothing_more_and_a_throwing_handler_does_not_stop_the_others()
    {
        var kept = new List<long>();
        var dropped = new List<long>();
        await using var throwing = await _streams.SubscribeWalletAsync(Wallet, _ => throw new InvalidOperationException("handler failed"));
        await using var keptSubscription = await _streams.SubscribeWalletAsync(Wallet, c => Add(kept, c.Sequence));
        var droppedSubscription = await _streams.SubscribeWalletAsync(Wallet, c => Add(dropped, c.Sequence));

        await _streams.PublishAsync(Wallet, WireSamples.WalletChange(sequence: 1));
        await droppedSubscription.DisposeAsync();
        await _streams.PublishAsync(Wallet, WireSamples.WalletChange(sequence: 2));

        kept.Should().Equal(1, 2);
        dropped.Should().Equal(1);
    }

    private static ValueTask Add<T>(List<T> into, T item)
    {
        into.Add(item);
        return ValueTask.CompletedTask;
    }
}
