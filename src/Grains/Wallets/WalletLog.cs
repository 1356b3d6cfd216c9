using Microsoft.Extensions.Logging;

namespace AccountGrains.Grains.Wallets;

/// <summary>Wallet log lines (event ids 2520-2539).</summary>
internal static partial class WalletLog
{
    [LoggerMessage(2520, LogLevel.Information, "Wallet {Wallet} tracked by {Tracker} ({Trackers} trackers)")]
    public static partial void Tracked(ILogger logger, string wallet, string tracker, int trackers);

    [LoggerMessage(2521, LogLevel.Information, "Wallet {Wallet} untracked by {Tracker} ({Trackers} trackers left)")]
    public static partial void Untracked(ILogger logger, string wallet, string tracker, int trackers);

    [LoggerMessage(2522, LogLevel.Debug, "Wallet {Wallet}: transaction {Signature} dropped ({Reason})")]
    public static partial void ActivityDropped(ILogger logger, string wallet, string signature, string reason);

    [LoggerMessage(2523, LogLevel.Warning, "Wallet {Wallet}: reading its balance failed; it fills in from the feed")]
    public static partial void InitialReadFailed(ILogger logger, string wallet, Exception exception);

    [LoggerMessage(2524, LogLevel.Warning, "Wallet activity: transaction {Signature} in slot {Slot} could not be analysed for {Wallet}")]
    public static partial void AnalysisFailed(ILogger logger, string signature, ulong slot, string wallet, Exception exception);

    [LoggerMessage(2526, LogLevel.Warning, "Reading the token accounts of {Wallets} tracked wallets over RPC failed; they fill in from the feed")]
    public static partial void PrimeFailed(ILogger logger, int wallets, Exception exception);

    [LoggerMessage(2527, LogLevel.Information, "Read {Accounts} accounts of {Wallets} tracked wallets over RPC")]
    public static partial void Primed(ILogger logger, int accounts, int wallets);

    [LoggerMessage(2525, LogLevel.Information, "Wallet {Wallet}: pruned {Count} activity entries past the newest {Keep}")]
    public static partial void Pruned(ILogger logger, string wallet, int count, int keep);
}
