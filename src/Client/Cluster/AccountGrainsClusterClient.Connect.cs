using AccountGrains.Client.Cluster.Internal;
using AccountGrains.Runtime.Hosting.Cluster;
using AccountGrains.Runtime.Transport.RabbitMq;
using AccountGrains.Solana;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace AccountGrains.Client.Cluster;

// Standalone: a client with its own private service provider, for programs without a generic host.
public sealed partial class AccountGrainsClusterClient
{
    /// <summary>
    /// Connects to the cluster without a host: builds a private service provider from <paramref name="configuration"/>
    /// (the keys of <see cref="ClusterServiceCollectionExtensions.AddAccountGrainsClient"/> and
    /// <see cref="ClusterClientOptions"/>), opens RabbitMQ and joins the membership as a gateway. Dispose the client
    /// to leave the cluster and close the connections.
    /// </summary>
    /// <exception cref="OptionsValidationException">Settings are wrong; the message names each (of every section).</exception>
    /// <exception cref="AccountGrainsException"><see cref="ClusterErrorCodes.ConnectFailed"/>: RabbitMQ or the database
    /// did not answer within <see cref="ClusterClientOptions.ConnectTimeout"/>, or refused this member (a queue type or
    /// partition count that is not the cluster's); the message says which.</exception>
    public static async Task<AccountGrainsClusterClient> ConnectAsync(
        IConfiguration configuration, ILoggerFactory? loggerFactory = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var lifetime = new StandaloneLifetime();
        var services = new ServiceCollection();
        if (loggerFactory is not null)
        {
            services.AddSingleton(loggerFactory); // registered as an instance: the provider does not dispose it
        }

        services.AddLogging();
        services.AddSingleton<IHostApplicationLifetime>(lifetime);
        services.AddAccountGrainsClusterClient(configuration);
        var provider = services.BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true, ValidateScopes = true });
        var host = new StandaloneHost(provider, lifetime);
        try
        {
            ValidateSettings(provider);
            await host.StartAsync(cancellationToken).ConfigureAwait(false);
            var client = provider.GetRequiredService<AccountGrainsClusterClient>();
            client.Own(host);
            return client;
        }
        catch
        {
            await host.StopAsync(null).ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>Connects with <paramref name="settings"/> (see <see cref="ClusterClientSettings"/>); otherwise as the other overload.</summary>
    public static Task<AccountGrainsClusterClient> ConnectAsync(
        ClusterClientSettings settings, ILoggerFactory? loggerFactory = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(settings);
        return ConnectAsync(settings.ToConfiguration(), loggerFactory, cancellationToken);
    }

    /// <summary>What a generic host does first: checks every ValidateOnStart option; all failures in one exception.</summary>
    private static void ValidateSettings(ServiceProvider provider)
    {
        try
        {
            provider.GetService<IStartupValidator>()?.Validate();
        }
        catch (AggregateException e) when (e.InnerExceptions.All(i => i is OptionsValidationException))
        {
            var failures = e.InnerExceptions.Cast<OptionsValidationException>().ToArray();
            throw new OptionsValidationException(failures[0].OptionsName, failures[0].OptionsType, failures.SelectMany(f => f.Failures));
        }
    }

    private void Own(StandaloneHost host)
    {
        _standalone = host;
        host.Lifetime.ApplicationStopping.Register(() =>
        {
            // Raised by the client host when the cluster declared this member dead.
            if (Volatile.Read(ref _disposed) == 0)
            {
                _stopped = true;
                ClusterClientLog.Stopped(_logger, MemberId);
            }
        });
    }

    /// <summary>The private provider and the hosted services it started (the cluster client host), in start order.</summary>
    private sealed class StandaloneHost(ServiceProvider provider, StandaloneLifetime lifetime)
    {
        private readonly List<IHostedService> _started = [];

        public StandaloneLifetime Lifetime => lifetime;

        public async Task StartAsync(CancellationToken cancellationToken)
        {
            var options = provider.GetRequiredService<IOptions<ClusterClientOptions>>().Value;
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(options.ConnectTimeout);
            try
            {
                foreach (var service in provider.GetServices<IHostedService>())
                {
                    await service.StartAsync(timeout.Token).ConfigureAwait(false);
                    _started.Add(service);
                }
            }
            catch (Exception e) when (!cancellationToken.IsCancellationRequested && e is not OptionsValidationException)
            {
                throw ConnectFailed(options, e);
            }

            ClusterClientLog.Connected(Logger, provider.GetRequiredService<IOptions<Runtime.Cluster.ClusterOptions>>().Value.MemberId,
                provider.GetRequiredService<IOptions<Runtime.Configuration.GrainRuntimeOptions>>().Value.PartitionCount);
        }

        /// <summary>Stops what was started in reverse order (the client host leaves the membership), then disposes the provider.</summary>
        public async Task StopAsync(AccountGrainsClusterClient? client)
        {
            var options = provider.GetRequiredService<IOptions<ClusterClientOptions>>();
            var memberId = client?.MemberId ?? "(not connected)";
            using var timeout = new CancellationTokenSource(SafeTimeout(options));
            for (var i = _started.Count - 1; i >= 0; i--)
            {
                try
                {
                    await _started[i].StopAsync(timeout.Token).ConfigureAwait(false);
                }
#pragma warning disable CA1031 // leaving is best effort: the others declare a silent member dead
                catch (Exception e)
#pragma warning restore CA1031
                {
                    ClusterClientLog.LeaveFailed(Logger, memberId, e);
                }
            }

            if (client is { _stopped: false } && _started.Count > 0)
            {
                ClusterClientLog.Left(Logger, memberId);
            }

            _started.Clear();
            await provider.DisposeAsync().ConfigureAwait(false);
            lifetime.Dispose();
        }

        private ILogger Logger => provider.GetRequiredService<ILogger<AccountGrainsClusterClient>>();

        // The options may be what failed validation: stopping must not throw for that.
        private static TimeSpan SafeTimeout(IOptions<ClusterClientOptions> options)
        {
            try
            {
                return options.Value.ConnectTimeout;
            }
            catch (OptionsValidationException)
            {
                return ClusterClientOptions.DefaultConnectTimeout;
            }
        }

        private AccountGrainsException ConnectFailed(ClusterClientOptions options, Exception e)
        {
            var why = e is OperationCanceledException ? $"no answer within {options.ConnectTimeout.TotalSeconds:0.#} s" : e.Message;
            if (!provider.GetRequiredService<RabbitMqCluster>().IsOpen)
            {
                var uri = provider.GetRequiredService<IOptions<RabbitMqOptions>>().Value.Uri;
                return new AccountGrainsException(
                    ClusterErrorCodes.ConnectFailed,
                    $"could not open RabbitMQ at {SafeUri.Describe(new Uri(uri))} ({why}); check that the broker is running and that " +
                    "AccountGrains:RabbitMq:Uri, :Prefix and :QueueType are the cluster's",
                    e);
            }

            if (e is InvalidOperationException)
            {
                // The cluster refused this member (a setting that must be the cluster's is not): the message says which.
                return new AccountGrainsException(ClusterErrorCodes.ConnectFailed, $"could not join the cluster: {e.Message}", e);
            }

            return new AccountGrainsException(
                ClusterErrorCodes.ConnectFailed,
                $"could not join the cluster ({why}); check that PostgreSQL is running and that AccountGrains:Cluster:ConnectionString is the cluster's database",
                e);
        }
    }
}
