using System.Net;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace AccountGrains.Grains.Notifications;

public static class NotificationServiceCollectionExtensions
{
    /// <summary>
    /// Registers <see cref="NotificationDispatcher"/> (a singleton, also a hosted service), its options from
    /// <c>AccountGrains:Notifications</c> (validated at start), metrics and HTTP client. Needs an
    /// <see cref="Runtime.Storage.IWalletStore"/> for dead letters. Register it before the silo: hosted services stop in
    /// reverse order, so the dispatcher drains after the grains stopped reporting activity.
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
        services.AddHostedService(sp => sp.GetRequiredService<NotificationDispatcher>());
        return services;
    }
}
