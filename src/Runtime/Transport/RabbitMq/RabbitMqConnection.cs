using System.Globalization;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using RabbitMQ.Client;
using RabbitMQ.Client.Events;

namespace AccountGrains.Runtime.Transport.RabbitMq;

/// <summary>
/// The one RabbitMQ connection of a process. The client library's automatic recovery reopens the socket after a
/// loss; everything declared through this connection (queues, exchanges, bindings, consumers) is then restored by
/// us, not by the library's topology recovery: each part knows how to declare itself again and replaces its channel,
/// so a delivery tag from before the loss can never acknowledge a message of the new channel.
/// </summary>
public sealed class RabbitMqConnection : IAsyncDisposable
{
    private readonly IConnection _connection;
    private readonly List<IRestorable> _restorables = [];
    private readonly Lock _restorablesLock = new();
    private readonly CancellationTokenSource _disposed = new();
    private readonly string _description;
    private Task _restoring = Task.CompletedTask;
    private int _recoveries;

    private RabbitMqConnection(IConnection connection, RabbitMqOptions options, string description, ILogger logger, RabbitMqMetrics metrics)
    {
        _connection = connection;
        _description = description;
        Options = options;
        Logger = logger;
        Metrics = metrics;
        _connection.ConnectionShutdownAsync += OnShutdownAsync;
        _connection.RecoverySucceededAsync += OnRecoveredAsync;
        _connection.ConnectionRecoveryErrorAsync += OnRecoveryErrorAsync;
    }

    public RabbitMqOptions Options { get; }

    /// <summary>Whether the socket is open now (false while recovering).</summary>
    public bool IsOpen => _connection.IsOpen;

    /// <summary>How many times the connection came back after a loss.</summary>
    public int Recoveries => Volatile.Read(ref _recoveries);

    internal ILogger Logger { get; }

    internal RabbitMqMetrics Metrics { get; }

    internal CancellationToken Disposed => _disposed.Token;

    /// <summary>
    /// Connects, retrying with a doubling delay (<see cref="RabbitMqOptions.ReconnectDelay"/> up to
    /// <see cref="RabbitMqOptions.MaxReconnectDelay"/>) until the broker answers or <paramref name="cancellationToken"/> ends.
    /// </summary>
    public static async Task<RabbitMqConnection> ConnectAsync(
        RabbitMqOptions options, ILogger? logger = null, RabbitMqMetrics? metrics = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        logger ??= NullLogger.Instance;
        var uri = new Uri(options.Uri);
        var description = DescribeUri(uri);
        var factory = new ConnectionFactory
        {
            Uri = uri,
            AutomaticRecoveryEnabled = true,
            TopologyRecoveryEnabled = false, // ours: see the class comment
            NetworkRecoveryInterval = options.ReconnectDelay,
            ClientProvidedName = options.ConnectionName ?? $"accountgrains {Environment.MachineName}",
        };
        var delay = options.ReconnectDelay;
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                var connection = await factory.CreateConnectionAsync(cancellationToken).ConfigureAwait(false);
                RabbitMqLog.Connected(logger, description);
                return new RabbitMqConnection(connection, options, description, logger, metrics ?? new RabbitMqMetrics());
            }
            catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
            {
                RabbitMqLog.ConnectFailed(logger, description, attempt, (long)delay.TotalMilliseconds, e);
                await Task.Delay(delay, cancellationToken).ConfigureAwait(false);
                delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, options.MaxReconnectDelay.Ticks));
            }
        }
    }

    /// <summary>Where this connection goes, for logs: <c>amqp://guest@127.0.0.1:5672 vhost "/"</c>. Never the password.</summary>
    public string Describe() => _description;

    public override string ToString() => _description;

    /// <summary>The queue or exchange name with <see cref="RabbitMqOptions.Prefix"/> in front.</summary>
    public string Name(string localName) => Options.Prefix + localName;

    internal static string DescribeUri(Uri uri)
    {
        var user = uri.UserInfo.Split(':', 2)[0];
        var vhost = uri.AbsolutePath.Length <= 1 ? "/" : Uri.UnescapeDataString(uri.AbsolutePath[1..]);
        var port = uri.IsDefaultPort || uri.Port < 0 ? (uri.Scheme == "amqps" ? 5671 : 5672) : uri.Port;
        var who = user.Length == 0 ? "" : Uri.UnescapeDataString(user) + "@";
        return string.Create(CultureInfo.InvariantCulture, $"{uri.Scheme}://{who}{uri.Host}:{port} vhost \"{vhost}\"");
    }

    internal async Task<IChannel> CreateChannelAsync(bool confirms, CancellationToken cancellationToken)
    {
        var options = new CreateChannelOptions(
            publisherConfirmationsEnabled: confirms,
            publisherConfirmationTrackingEnabled: confirms,
            outstandingPublisherConfirmationsRateLimiter: null, // our publisher bounds what is in flight (PublishBatchSize)
            consumerDispatchConcurrency: 1);
        return await _connection.CreateChannelAsync(options, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Waits until the socket is open again (a reconnect in progress), or gives up with the token.</summary>
    internal async Task WaitUntilOpenAsync(CancellationToken cancellationToken)
    {
        while (!_connection.IsOpen)
        {
            await Task.Delay(50, cancellationToken).ConfigureAwait(false);
        }
    }

    internal void Register(IRestorable restorable)
    {
        lock (_restorablesLock)
        {
            _restorables.Add(restorable);
        }
    }

    internal void Unregister(IRestorable restorable)
    {
        lock (_restorablesLock)
        {
            _restorables.Remove(restorable);
        }
    }

    /// <summary>Completes when the restore started by the last recovery has finished (tests, shutdown).</summary>
    internal Task RestoringAsync() => _restoring;

    private Task OnShutdownAsync(object sender, ShutdownEventArgs args)
    {
        if (args.Initiator != ShutdownInitiator.Application)
        {
            RabbitMqLog.ConnectionLost(Logger, _description, $"{args.ReplyCode} {args.ReplyText}", (long)Options.ReconnectDelay.TotalMilliseconds);
        }

        return Task.CompletedTask;
    }

    private Task OnRecoveredAsync(object sender, AsyncEventArgs args)
    {
        Interlocked.Increment(ref _recoveries);
        Metrics.Reconnected();
        IRestorable[] parts;
        lock (_restorablesLock)
        {
            parts = [.. _restorables];
        }

        RabbitMqLog.Recovered(Logger, _description, parts.Length);
        // Not inline: the library raises this event on its recovery loop, and restoring makes channel round trips.
        var previous = _restoring;
        _restoring = Task.Run(async () =>
        {
            await previous.ConfigureAwait(false);
            await RestoreAllAsync(parts).ConfigureAwait(false);
        });
        return Task.CompletedTask;
    }

    private Task OnRecoveryErrorAsync(object sender, ConnectionRecoveryErrorEventArgs args)
    {
        RabbitMqLog.RecoveryAttemptFailed(Logger, args.Exception);
        return Task.CompletedTask;
    }

    private async Task RestoreAllAsync(IRestorable[] parts)
    {
        foreach (var part in parts)
        {
            for (var attempt = 1; !_disposed.IsCancellationRequested; attempt++)
            {
                try
                {
                    await WaitUntilOpenAsync(_disposed.Token).ConfigureAwait(false);
                    await part.RestoreAsync(_disposed.Token).ConfigureAwait(false);
                    break;
                }
                catch (OperationCanceledException) when (_disposed.IsCancellationRequested)
                {
                    return;
                }
                catch (Exception e)
                {
                    RabbitMqLog.RestoreFailed(Logger, part.Part, attempt, e);
                    try
                    {
                        await Task.Delay(Options.ReconnectDelay, _disposed.Token).ConfigureAwait(false);
                    }
                    catch (OperationCanceledException)
                    {
                        return;
                    }
                }
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_disposed.IsCancellationRequested)
        {
            return;
        }

        await _disposed.CancelAsync().ConfigureAwait(false);
        _connection.ConnectionShutdownAsync -= OnShutdownAsync;
        _connection.RecoverySucceededAsync -= OnRecoveredAsync;
        _connection.ConnectionRecoveryErrorAsync -= OnRecoveryErrorAsync;
        try
        {
            await _connection.CloseAsync().ConfigureAwait(false);
        }
        catch (Exception e) when (e is RabbitMQ.Client.Exceptions.AlreadyClosedException or IOException or OperationCanceledException)
        {
            // Closing a connection that is already gone: nothing left to release on the broker.
        }

        await _connection.DisposeAsync().ConfigureAwait(false);
        _disposed.Dispose();
    }
}
