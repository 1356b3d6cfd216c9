using Microsoft.Extensions.Logging;

namespace AccountGrains.Grains.Ingest;

/// <summary>Ingest log lines (event ids 2000-2099).</summary>
internal static partial class IngestLog
{
    [LoggerMessage(2001, LogLevel.Information, "Ingest reading from {Source}")]
    public static partial void Started(ILogger logger, string source);

    [LoggerMessage(2002, LogLevel.Information, "Ingest source {Source} ended after {Read} updates ({Rejected} records rejected)")]
    public static partial void SourceEnded(ILogger logger, string source, long read, long rejected);

    [LoggerMessage(2003, LogLevel.Information, "Ingest from {Source} stopped after {Read} updates")]
    public static partial void Stopped(ILogger logger, string source, long read);

    [LoggerMessage(2004, LogLevel.Error, "Ingest source {Source} failed")]
    public static partial void SourceFailed(ILogger logger, string source, Exception exception);

    [LoggerMessage(2005, LogLevel.Warning, "Rejected upstream record at {Location}: {Reason}")]
    public static partial void RecordRejected(ILogger logger, string location, string reason);

    [LoggerMessage(2006, LogLevel.Information, "Interest set loaded: {Configured} configured, {Stored} stored, {Total} in all")]
    public static partial void InterestLoaded(ILogger logger, int configured, int stored, int total);

    [LoggerMessage(2007, LogLevel.Information, "Interest added: {InterestId} ({Total} in all)")]
    public static partial void InterestAdded(ILogger logger, string interestId, int total);

    [LoggerMessage(2008, LogLevel.Information, "Interest removed: {InterestId} ({Total} in all)")]
    public static partial void InterestRemoved(ILogger logger, string interestId, int total);

    [LoggerMessage(2009, LogLevel.Error, "Ingest from {Source}: updates handed on were not delivered; reading the source again from its checkpoint in {DelayMs} ms")]
    public static partial void SourceRestarting(ILogger logger, string source, long delayMs, Exception exception);

    [LoggerMessage(2010, LogLevel.Warning, "Configured wallet {Wallet} could not be tracked; its activity is not recorded")]
    public static partial void ConfiguredWalletNotTracked(ILogger logger, string wallet, Exception exception);
}
