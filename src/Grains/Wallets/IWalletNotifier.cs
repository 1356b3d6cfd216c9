namespace AccountGrains.Grains.Wallets;

/// <summary>Hands a wallet's new activity to its notification sinks. Must return at once: a slow receiver never blocks a grain.</summary>
public interface IWalletNotifier
{
    void Notify(WalletActivityEntry activity, IReadOnlyList<NotificationSink> walletSinks);
}
