using System.Collections.Concurrent;
using AccountGrains.Client.Cluster.Internal;
using AccountGrains.Solana;
using Microsoft.Extensions.Logging;

namespace AccountGrains.Client.Cluster;

/// <summary>
/// A .NET service's way into an AccountGrains cluster without hosting grains: reads account state, follows account
/// and program streams, tracks wallets and follows their activity through their wallet grains, and reads the ingest's
/// status. Calls go to
/// the grains over RabbitMQ (the partition's owning silo answers) and streams come from the events exchange, the same
/// way a cluster gateway does it; the client is a member of kind <c>gateway</c> in the membership table while it runs.
/// <para>
/// Get one from a host with <see cref="ClusterClientServiceCollectionExtensions.AddAccountGrainsClusterClient"/>, or
/// standalone with <see cref="ConnectAsync(Microsoft.Extensions.Configuration.IConfiguration, ILoggerFactory?, CancellationToken)"/>
/// (dispose it to leave the cluster). Thread-safe; one per process is enough.
/// </para>
/// <para>
/// Errors: an invalid pubkey is an <see cref="ArgumentException"/> before anything is sent; a call that times out, is
/// refused or fails is an <see cref="AccountGrainsException"/> with one of the <see cref="ClusterErrorCodes"/>; a
/// disposed client throws <see cref="ObjectDisposedException"/>.
/// </para>
/// </summary>
public sealed partial class AccountGrainsClusterClient : IAsyncDisposable
{
    // The transport times a call out after CallTimeout with the more precise message; this only catches a call that
    // never reached the transport (RabbitMQ not open yet).
    private static readonly TimeSpan CallGuardMargin = TimeSpan.FromSeconds(1);

    private readonly IGrainFactory _grains;
    private readonly IStreamProvider _streams;
    private readonly ClusterClientOptions _options;
    private readonly TimeSpan _callGuard;
    private readonly ILogger _logger;
    private readonly ConcurrentDictionary<StreamSubscription, byte> _subscriptions = new();
    private readonly CancellationTokenSource _disposing = new();
    private readonly Lock _rereadGate = new();
    private bool _rereadRequested;
    private bool _rereading;
    private Task _reread = Task.CompletedTask;
    private StandaloneHost? _standalone;
    private volatile bool _stopped;
    private int _disposed;

    internal AccountGrainsClusterClient(
        IGrainFactory grains, IStreamProvider streams, ClusterClientOptions options, TimeSpan callTimeout, string memberId, ILogger<AccountGrainsClusterClient> logger)
    {
        ArgumentNullException.ThrowIfNull(grains);
        ArgumentNullException.ThrowIfNull(streams);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(logger);
        _grains = grains;
        _streams = streams;
        _options = options;
        _callGuard = callTimeout + CallGuardMargin;
        MemberId = memberId;
        _logger = logger;
        if (streams is IResumableStreamProvider resumable)
        {
            resumable.Resubscribed += OnResubscribedAsync;
        }
    }

    /// <summary>This client's id in the cluster's membership table (<c>AccountGrains:Cluster:MemberId</c>).</summary>
    public string MemberId { get; }

    /// <summary>Open subscriptions (account, program and wallet).</summary>
    public int SubscriptionCount => _subscriptions.Count + _walletSubscriptions.Count;

    private IGeyserIngestGrain Ingest => _grains.Get<IGeyserIngestGrain>(IGeyserIngestGrain.DefaultKey);

    /// <summary>The account's latest decoded state, or null when the cluster knows nothing about it.</summary>
    /// <exception cref="ArgumentException"><paramref name="pubkey"/> is not a base58 pubkey of 32 bytes.</exception>
    /// <exception cref="AccountGrainsException">The call timed out or failed (<see cref="ClusterErrorCodes"/>).</exception>
    public Task<AccountState?> GetAccountAsync(string pubkey, CancellationToken cancellationToken = default)
    {
        ValidateKey(pubkey, nameof(pubkey));
        ThrowIfUnusable();
        return ReadAsync(pubkey, cancellationToken);
    }

    /// <summary>
    /// The states of <paramref name="pubkeys"/>, in the same order (null where the cluster knows nothing), read in
    /// parallel, at most <see cref="ClusterClientOptions.MaxConcurrentReads"/> at a time; a pubkey given twice is read once.
    /// </summary>
    /// <exception cref="ArgumentException">A pubkey is invalid (the message names its index); nothing was read.</exception>
    /// <exception cref="AccountGrainsException">A read timed out or failed; the others are abandoned.</exception>
    public async Task<IReadOnlyList<AccountState?>> GetAccountsAsync(IEnumerable<string> pubkeys, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(pubkeys);
        var keys = pubkeys.ToArray();
        for (var i = 0; i < keys.Length; i++)
        {
            ValidateKey(keys[i], $"{nameof(pubkeys)}[{i}]");
        }

        ThrowIfUnusable();
        var states = new ConcurrentDictionary<string, AccountState?>(StringComparer.Ordinal);
        await Parallel.ForEachAsync(
            keys.Distinct(StringComparer.Ordinal),
            new ParallelOptions { MaxDegreeOfParallelism = _options.MaxConcurrentReads, CancellationToken = cancellationToken },
            async (pubkey, token) => states[pubkey] = await ReadAsync(pubkey, token).ConfigureAwait(false)).ConfigureAwait(false);
        return Array.ConvertAll(keys, pubkey => states[pubkey]);
    }

    /// <summary>
    /// Follows an account: <paramref name="onChange"/> gets its current state first (when the cluster knows it), then
    /// every newer state, never one that is not newer than a state it got before (see <see cref="StreamSubscription"/>).
    /// After a broker reconnect the state is read again, so changes published while the connection was down are not
    /// missed for good. Returns once the subscription is bound and the current state is queued for the handler.
    /// </summary>
    /// <exception cref="ArgumentException"><paramref name="pubkey"/> is invalid.</exception>
    /// <exception cref="AccountGrainsException">Binding the stream or reading the current state failed; nothing stays subscribed.</exception>
    public async Task<StreamSubscription> SubscribeAsync(string pubkey, Func<AccountState, ValueTask> onChange, CancellationToken cancellationToken = default)
    {
        ValidateKey(pubkey, nameof(pubkey));
        ArgumentNullException.ThrowIfNull(onChange);
        var subscription = await OpenAsync(StreamId.ForAccount(pubkey), onChange, startsWithSnapshot: true, cancellationToken).ConfigureAwait(false);
        try
        {
            var current = await ReadAsync(pubkey, cancellationToken).ConfigureAwait(false);
            subscription.Start(current);
            return subscription;
        }
        catch
        {
            await subscription.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>
    /// Follows every account <paramref name="owner"/> owns: <paramref name="onChange"/> gets each change from now on,
    /// per account never one that is not newer than before. There is no snapshot of a whole program; after a broker
    /// reconnect, changes published while the connection was down are missed (read the accounts you need again).
    /// </summary>
    /// <exception cref="ArgumentException"><paramref name="owner"/> is invalid.</exception>
    /// <exception cref="AccountGrainsException">Binding the stream failed.</exception>
    public Task<StreamSubscription> SubscribeProgramAsync(string owner, Func<AccountState, ValueTask> onChange, CancellationToken cancellationToken = default)
    {
        ValidateKey(owner, nameof(owner));
        ArgumentNullException.ThrowIfNull(onChange);
        return OpenAsync(StreamId.ForProgram(owner), onChange, startsWithSnapshot: false, cancellationToken);
    }

    /// <summary>What the ingest is doing: source, updates read, last slot, upstream connection, interest count.</summary>
    public Task<IngestStatus> GetIngestStatusAsync(CancellationToken cancellationToken = default) =>
        CallAsync("reading the ingest's status", () => Ingest.GetStatusAsync(), cancellationToken);

    /// <summary>
    /// Ends every subscription. A client from <c>ConnectAsync</c> also leaves the cluster (its membership row goes)
    /// and closes its connections; one from dependency injection leaves that to its host.
    /// </summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1)
        {
            return;
        }

        await _disposing.CancelAsync().ConfigureAwait(false);
        if (_streams is IResumableStreamProvider resumable)
        {
            resumable.Resubscribed -= OnResubscribedAsync;
        }

        foreach (var subscription in _subscriptions.Keys)
        {
            await subscription.DisposeAsync().ConfigureAwait(false);
        }

        foreach (var subscription in _walletSubscriptions.Keys)
        {
            await subscription.DisposeAsync().ConfigureAwait(false);
        }

        Task reread;
        lock (_rereadGate)
        {
            reread = _reread;
        }

        await reread.ConfigureAwait(false); // never faults: failures are logged per account
        if (_standalone is { } standalone)
        {
            await standalone.StopAsync(this).ConfigureAwait(false);
        }

        _disposing.Dispose();
    }

    private async Task<StreamSubscription> OpenAsync(
        StreamId stream, Func<AccountState, ValueTask> onChange, bool startsWithSnapshot, CancellationToken cancellationToken)
    {
        ThrowIfUnusable();
        var subscription = new StreamSubscription(stream, onChange, startsWithSnapshot, _options.MaxQueuedChanges, _logger, s => _subscriptions.TryRemove(s, out _));

        // Listed first: a reconnect while the snapshot is read re-reads this one too.
        _subscriptions[subscription] = 0;
        return await BindAsync(
            subscription,
            stream,
            () => _streams.SubscribeAsync(stream, subscription.OnChangedAsync, cancellationToken).AsTask(),
            subscription.AttachAsync,
            cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Binds the stream of a new subscription; on failure, or when the client was disposed meanwhile, the subscription is disposed.</summary>
    private async Task<T> BindAsync<T>(
        T subscription, StreamId stream, Func<Task<IAsyncDisposable>> subscribe, Func<IAsyncDisposable, ValueTask> attach, CancellationToken cancellationToken)
        where T : IAsyncDisposable
    {
        try
        {
            var upstream = await CallAsync($"subscribing to {stream}", subscribe, cancellationToken).ConfigureAwait(false);
            await attach(upstream).ConfigureAwait(false);
            if (Volatile.Read(ref _disposed) == 1)
            {
                // Disposed while subscribing: the client's dispose may have missed this one.
                await subscription.DisposeAsync().ConfigureAwait(false);
                ThrowIfUnusable();
            }

            return subscription;
        }
        catch
        {
            await subscription.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    private async Task<AccountState?> ReadAsync(string pubkey, CancellationToken cancellationToken)
    {
        var snapshot = await CallAsync($"reading account {pubkey}", () => _grains.Get<IAccountGrain>(pubkey).GetSnapshotAsync(), cancellationToken)
            .ConfigureAwait(false);
        return snapshot.State;
    }

    /// <summary>One grain call, bounded and with its failures as <see cref="AccountGrainsException"/>.</summary>
    private async Task<T> CallAsync<T>(string what, Func<Task<T>> call, CancellationToken cancellationToken)
    {
        ThrowIfUnusable();
        Task<T> task;
        try
        {
            task = call();
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            throw GrainCallErrors.Translate(what, e);
        }

        try
        {
            return await task.WaitAsync(_callGuard, cancellationToken).ConfigureAwait(false);
        }
        catch (TimeoutException) when (!task.IsCompleted)
        {
            // Nobody waits for the call any more; its late failure must not go unobserved.
            _ = task.ContinueWith(static t => _ = t.Exception, CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted, TaskScheduler.Default);
            throw new AccountGrainsException(
                ClusterErrorCodes.Timeout,
                $"{what} got no answer from the cluster within {_callGuard.TotalSeconds:0.#} s: is RabbitMQ reachable (AccountGrains:RabbitMq:Uri) and a silo running?");
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw;
        }
        catch (Exception e)
        {
            throw GrainCallErrors.Translate(what, e);
        }
    }

    private void ThrowIfUnusable()
    {
        if (Volatile.Read(ref _disposed) == 1)
        {
            throw new ObjectDisposedException(
                GetType().FullName,
                $"cluster client {MemberId} was disposed: its subscriptions are ended (and a client from ConnectAsync has left the cluster); connect a new one to call the cluster again");
        }

        if (_stopped)
        {
            throw new AccountGrainsException(
                ClusterErrorCodes.ClientStopped,
                $"cluster client {MemberId} was declared dead by the cluster (its heartbeats did not reach the database for AccountGrains:Cluster:DeadAfter) and left it: dispose it and connect again");
        }
    }

    private static void ValidateKey(string value, string parameter)
    {
        ArgumentNullException.ThrowIfNull(value, parameter);
        if (!Pubkey.TryParse(value, out _, out var error))
        {
            throw new ArgumentException(error, parameter);
        }
    }

    /// <summary>
    /// The stream subscriptions are back after a broker reconnect: changes published meanwhile are missing, so every
    /// followed account is read again (in the background: this runs on the connection's restore path).
    /// </summary>
    private Task OnResubscribedAsync()
    {
        lock (_rereadGate)
        {
            if (Volatile.Read(ref _disposed) == 1)
            {
                return Task.CompletedTask;
            }

            _rereadRequested = true;
            if (!_rereading)
            {
                _rereading = true;
                _reread = Task.Run(RereadLoopAsync);
            }
        }

        return Task.CompletedTask;
    }

    private async Task RereadLoopAsync()
    {
        while (true)
        {
            lock (_rereadGate)
            {
                if (!_rereadRequested || _disposing.IsCancellationRequested)
                {
                    _rereading = false;
                    return;
                }

                _rereadRequested = false;
            }

            await RereadAsync().ConfigureAwait(false);
            await RereadWalletsAsync().ConfigureAwait(false);
        }
    }

    private async Task RereadAsync()
    {
        var subscriptions = _subscriptions.Keys.ToArray();
        var accounts = subscriptions.Where(s => s.IsAccount).GroupBy(s => s.Stream.Key, StringComparer.Ordinal).ToArray();
        ClusterClientLog.Rereading(_logger, accounts.Length, subscriptions.Length - accounts.Sum(a => a.Count()));
        try
        {
            await Parallel.ForEachAsync(
                accounts,
                new ParallelOptions { MaxDegreeOfParallelism = _options.MaxConcurrentReads, CancellationToken = _disposing.Token },
                async (account, token) =>
                {
                    try
                    {
                        if (await ReadAsync(account.Key, token).ConfigureAwait(false) is { } state)
                        {
                            foreach (var subscription in account)
                            {
                                subscription.Offer(state);
                            }
                        }
                    }
                    catch (Exception e) when (e is AccountGrainsException or ObjectDisposedException)
                    {
                        ClusterClientLog.RereadFailed(_logger, account.Key, e);
                    }
                }).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (_disposing.IsCancellationRequested)
        {
            // Disposed meanwhile.
        }
    }
}
