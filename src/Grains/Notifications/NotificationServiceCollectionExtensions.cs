using System.Net;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using AccountGrains.Grains.Wallets;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace AccountGrains.Grains.Notifications;

public static class NotificationServiceCollectionExtensions
{
    /// <summary>
    /// Registers <see cref="NotificationDispatcher"/> (a singleton, also a hosted service), its options from
    /// <c>AccountGrains:Notifications</c> (validated at start), metrics and HTTP client. Needs an
    /// <see cref="Runtime.Storage.IWalletStore"/> for dead letters. Register it before the silo: hosted services stop in
    /// reverse order, and it puts the dispatcher first, so it drains after the grains stopped reporting activity.
    /// </summary>
    public static IServiceCollection AddAccountGrainsNotifications(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configuration);
        services.AddOptions<NotificationOptions>().Bind(configuration.GetSection(NotificationOptions.SectionName)).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<NotificationOptions>, NotificationOptionsValidator>());
        services.AddMetrics();
        services.TryAddSingleton<NotificationMetrics>();
        services.AddHttpClient(NotificationDispatcher.HttpClientName, http => http.Timeout = Timeout.InfiniteTimeSpan)
            .ConfigurePrimaryHttpMessageHandler(() => new SocketsHttpHandler
            {
                // A redirected POST would turn into a GET; a sink must be configured with its final URL.
                AllowAutoRedirect = false,
                PooledConnectionLifetime = TimeSpan.FromMinutes(5),
                AutomaticDecompression = DecompressionMethods.None,
            })
            // The default HTTP logging writes full URLs, and a Discord webhook URL holds its token.
            .RemoveAllLoggers();
        services.TryAddSingleton(sp => new NotificationDispatcher(
            sp.GetRequiredService<IOptions<NotificationOptions>>(),
            sp.GetRequiredService<IHttpClientFactory>(),
            sp.GetRequiredService<Runtime.Storage.IWalletStore>(),
            sp.GetRequiredService<NotificationMetrics>(),
            sp.GetRequiredService<ILogger<NotificationDispatcher>>(),
            sp.GetService<TimeProvider>()));
        // First of the hosted services, whenever this is called: hosted services stop in reverse order, so the
        // dispatcher drains after the silo and the ingest stopped (grains report activity until then).
        services.Insert(0, ServiceDescriptor.Singleton<IHostedService>(sp => sp.GetRequiredService<NotificationDispatcher>()));
        services.TryAddSingleton<IWalletNotifier>(sp => sp.GetRequiredService<NotificationDispatcher>());
        return services;
    }
}
