using System.Diagnostics.Metrics;

using AccountGrains.Grains.Ingest;
using AccountGrains.Solana.Rpc;

using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace AccountGrains.Grains.Rpc;

/// <summary>
/// The silo's Solana RPC, when <c>AccountGrains:Rpc:Url</c> is set: one client, the hydrator built on it, and the
/// interest reader that refills gaps. Without a URL all three are absent: grains start empty until written, and gaps
/// are only logged and counted. Decided when first resolved, so configuration added late still counts.
/// </summary>
public sealed class SolanaRpcAccess : IAsyncDisposable
{
    private readonly AccountHydrator? _hydrator;

    public SolanaRpcAccess(
        IOptions<RpcEndpointOptions> endpoint,
        IOptions<SolanaRpcOptions> options,
        ILoggerFactory loggers,
        TimeProvider time,
        IMeterFactory? meters = null)
    {
        ArgumentNullException.ThrowIfNull(endpoint);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(loggers);
        var settings = endpoint.Value;
        if (settings.Url is null)
        {
            Hydrator = new NoHydration();
            return;
        }

        var clientOptions = options.Value;
        clientOptions.MeterFactory ??= meters;
        var logger = loggers.CreateLogger<SolanaRpcClient>();
        RpcLog.Configured(logger, settings.DescribeUrl(), settings.Hydrate);
        Client = new SolanaRpcClient(settings.Url, clientOptions, logger);
        Reader = new RpcInterestReader(Client, endpoint, loggers.CreateLogger<RpcInterestReader>(), time);
        if (settings.Hydrate)
        {
            _hydrator = new AccountHydrator(Client, endpoint, loggers.CreateLogger<AccountHydrator>(), time);
            Hydrator = _hydrator;
        }
        else
        {
            Hydrator = new NoHydration();
        }
    }

    /// <summary>The client, or null without a configured URL.</summary>
    public SolanaRpcClient? Client { get; }

    /// <summary>Reads an interest set's state (gap refills), or null without RPC.</summary>
    public IInterestReader? Reader { get; }

    public IAccountHydrator Hydrator { get; }

    public async ValueTask DisposeAsync()
    {
        if (_hydrator is not null)
        {
            await _hydrator.DisposeAsync().ConfigureAwait(false);
        }

        Client?.Dispose();
    }
}
