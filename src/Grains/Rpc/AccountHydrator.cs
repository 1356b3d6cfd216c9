using System.Threading.Channels;

using AccountGrains.Solana.Rpc;

using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace AccountGrains.Grains.Rpc;

/// <summary>Loads the state of an account nobody has written yet (from Solana RPC when configured).</summary>
public interface IAccountHydrator
{
    /// <summary>The account as an update, or null when it is not there or cannot be read now.</summary>
    Task<AccountUpdate?> HydrateAsync(string pubkey, CancellationToken cancellationToken = default);
}

/// <summary>No RPC endpoint: nothing to hydrate from.</summary>
public sealed class NoHydration : IAccountHydrator
{
    public Task<AccountUpdate?> HydrateAsync(string pubkey, CancellationToken cancellationToken = default) => Task.FromResult<AccountUpdate?>(null);
}

/// <summary>
/// Loads accounts nobody has written yet from Solana RPC, for account grains read before any update reached them.
/// Requests from many grains gather for <see cref="RpcEndpointOptions.HydrationLinger"/> (or until 100 wait) and go
/// out as one getMultipleAccounts.
/// </summary>
public sealed class AccountHydrator : IAccountHydrator, IAsyncDisposable
{
    private const int BatchSize = 100;

    private readonly SolanaRpcClient _rpc;
    private readonly RpcEndpointOptions _options;
    private readonly ILogger _logger;
    private readonly TimeProvider _time;
    private readonly Channel<(string Pubkey, TaskCompletionSource<AccountUpdate?> Result)> _requests =
        Channel.CreateUnbounded<(string, TaskCompletionSource<AccountUpdate?>)>(new UnboundedChannelOptions { SingleReader = true });
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;
    private long _batches;

    public AccountHydrator(SolanaRpcClient rpc, IOptions<RpcEndpointOptions> options, ILogger<AccountHydrator> logger, TimeProvider? time = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        _rpc = rpc;
        _options = options.Value;
        _logger = logger;
        _time = time ?? TimeProvider.System;
        _loop = Task.Run(() => RunAsync(_stop.Token));
    }

    /// <summary>getMultipleAccounts requests sent so far.</summary>
    public long Batches => Interlocked.Read(ref _batches);

    /// <summary>
    /// The account's current state as an update at the slot the node answered at, or null when it does not exist or
    /// RPC failed (logged).
    /// </summary>
    public Task<AccountUpdate?> HydrateAsync(string pubkey, CancellationToken cancellationToken = default)
    {
        var result = new TaskCompletionSource<AccountUpdate?>(TaskCreationOptions.RunContinuationsAsynchronously);
        if (!_requests.Writer.TryWrite((pubkey, result)))
        {
            result.SetResult(null);
        }

        return result.Task.WaitAsync(cancellationToken);
    }

    public async ValueTask DisposeAsync()
    {
        if (!_requests.Writer.TryComplete())
        {
            return; // disposed already (the container may hold it under two service types)
        }

        await _stop.CancelAsync().ConfigureAwait(false);
        await _loop.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        _stop.Dispose();
    }

    private async Task RunAsync(CancellationToken cancellationToken)
    {
        var batch = new List<(string Pubkey, TaskCompletionSource<AccountUpdate?> Result)>(BatchSize);
        try
        {
            while (await _requests.Reader.WaitToReadAsync(cancellationToken).ConfigureAwait(false))
            {
                if (_options.HydrationLinger > TimeSpan.Zero)
                {
                    await Task.Delay(_options.HydrationLinger, _time, cancellationToken).ConfigureAwait(false);
                }

                while (batch.Count < BatchSize && _requests.Reader.TryRead(out var request))
                {
                    batch.Add(request);
                }

                await LoadAsync(batch, cancellationToken).ConfigureAwait(false);
                batch.Clear();
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
        finally
        {
            foreach (var (_, result) in batch)
            {
                result.TrySetResult(null);
            }

            while (_requests.Reader.TryRead(out var request))
            {
                request.Result.TrySetResult(null);
            }
        }
    }

    private async Task LoadAsync(List<(string Pubkey, TaskCompletionSource<AccountUpdate?> Result)> batch, CancellationToken cancellationToken)
    {
        var keys = batch.Select(r => r.Pubkey).Distinct(StringComparer.Ordinal).ToList();
        try
        {
            Interlocked.Increment(ref _batches);
            var accounts = await _rpc.GetMultipleAccountsAsync(keys, _options.Commitment, cancellationToken).ConfigureAwait(false);
            var byKey = new Dictionary<string, AccountUpdate?>(keys.Count, StringComparer.Ordinal);
            for (var i = 0; i < keys.Count; i++)
            {
                byKey[keys[i]] = accounts.Value[i] is { } account
                    ? RpcConversions.ToUpdate(keys[i], account, accounts.ContextSlot, _time.GetUtcNow())
                    : null;
            }

            foreach (var (pubkey, result) in batch)
            {
                result.TrySetResult(byKey[pubkey]);
            }
        }
        catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            // Whatever went wrong, this batch answers "nothing" and the loop lives on for the next one.
            RpcLog.HydrationFailed(_logger, keys.Count, _options.DescribeUrl(), e);
            foreach (var (_, result) in batch)
            {
                result.TrySetResult(null);
            }
        }
    }
}
