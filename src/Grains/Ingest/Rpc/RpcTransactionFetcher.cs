using System.Threading.Channels;
using AccountGrains.Solana.Rpc;
using AccountGrains.Solana.Transactions;
using Microsoft.Extensions.Logging;

namespace AccountGrains.Grains.Ingest.Rpc;

/// <summary>
/// Turns the signatures of logsSubscribe notifications (transactions mentioning tracked wallets) into transactions:
/// getTransaction for each, by a few workers beside the notification readers, so a slow node never holds up account
/// notifications. A node may not serve a transaction it has just notified (it is not yet at the commitment
/// getTransaction needs): a null answer is asked again, a few times, before the signature is given up and logged.
/// A signature notified twice (two tracked wallets in one transaction) is fetched once.
/// </summary>
internal sealed partial class RpcTransactionFetcher(
    Func<string, CancellationToken, Task<RpcTransaction?>> getTransaction,
    Func<TransactionFacts, CancellationToken, ValueTask> handOn,
    Action<SourceRecordError> rejected,
    ILogger logger,
    TimeProvider time)
{
    public const int Workers = 4;
    public const int MaxAttempts = 20;
    public static readonly TimeSpan RetryDelay = TimeSpan.FromMilliseconds(250);
    private const int RememberedSignatures = 10_000;

    private readonly Channel<string> _signatures = Channel.CreateBounded<string>(new BoundedChannelOptions(10_000) { FullMode = BoundedChannelFullMode.Wait });
    private readonly Lock _gate = new();
    private readonly HashSet<string> _seen = new(StringComparer.Ordinal);
    private readonly Queue<string> _seenOrder = new();

    /// <summary>Queues a signature (waits while the queue is full: back-pressure on the notifications).</summary>
    public ValueTask OfferAsync(string signature, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            if (!_seen.Add(signature))
            {
                return ValueTask.CompletedTask;
            }

            _seenOrder.Enqueue(signature);
            if (_seenOrder.Count > RememberedSignatures)
            {
                _seen.Remove(_seenOrder.Dequeue());
            }
        }

        return _signatures.Writer.WriteAsync(signature, cancellationToken);
    }

    /// <summary>Runs the workers until cancelled.</summary>
    public Task RunAsync(CancellationToken cancellationToken) =>
        Task.WhenAll(Enumerable.Range(0, Workers).Select(_ => Task.Run(() => WorkAsync(cancellationToken), CancellationToken.None)));

    private async Task WorkAsync(CancellationToken cancellationToken)
    {
        try
        {
            await foreach (var signature in _signatures.Reader.ReadAllAsync(cancellationToken).ConfigureAwait(false))
            {
                try
                {
                    await FetchAsync(signature, cancellationToken).ConfigureAwait(false);
                }
                catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
                {
                    // Handing on failed (a partition unreachable in a cluster, an analysis bug): this signature is
                    // lost, logged; the worker goes on, or every later transaction would wait behind a dead one.
                    HandOnFailed(logger, signature, e);
                }
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
    }

    private async Task FetchAsync(string signature, CancellationToken cancellationToken)
    {
        string? lastError = null;
        for (var attempt = 1; attempt <= MaxAttempts; attempt++)
        {
            try
            {
                if (await getTransaction(signature, cancellationToken).ConfigureAwait(false) is { } transaction)
                {
                    await handOn(TransactionFacts.FromRpc(transaction), cancellationToken).ConfigureAwait(false);
                    return;
                }

                lastError = "the node does not have it";
            }
            catch (MalformedTransactionException e)
            {
                rejected(new SourceRecordError($"getTransaction {signature}", e.Message));
                return;
            }
            catch (Exception e) when (e is SolanaRpcException or SolanaRpcTransportException or HttpRequestException or TimeoutException or System.Text.Json.JsonException)
            {
                lastError = e.Message;
            }

            await Task.Delay(RetryDelay, time, cancellationToken).ConfigureAwait(false);
        }

        GaveUp(logger, signature, MaxAttempts, lastError ?? "unknown");
    }

    [LoggerMessage(2315, LogLevel.Error, "Transaction {Signature} could not be handed to its wallets; its wallet activity is missing")]
    private static partial void HandOnFailed(ILogger logger, string signature, Exception exception);

    [LoggerMessage(2314, LogLevel.Warning, "getTransaction {Signature} gave no transaction after {Attempts} attempts ({Error}); its wallet activity is missing")]
    private static partial void GaveUp(ILogger logger, string signature, int attempts, string error);
}
