using AccountGrains.Solana;
using Microsoft.Extensions.Options;

namespace AccountGrains.Grains.Notifications;

/// <summary>Fails start-up on a notification setting that cannot work, naming the setting.</summary>
public sealed class NotificationOptionsValidator : IValidateOptions<NotificationOptions>
{
    public ValidateOptionsResult Validate(string? name, NotificationOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        const string section = NotificationOptions.SectionName;
        var failures = new List<string>();
        for (var i = 0; i < options.Sinks.Count; i++)
        {
            var sink = options.Sinks[i];
            var setting = $"{section}:Sinks:{i}";
            if (CheckSink(sink.Kind, sink.Url) is { } problem)
            {
                failures.Add($"{setting}: {problem}.");
            }

            for (var w = 0; w < sink.Wallets.Count; w++)
            {
                if (!Pubkey.TryParse(sink.Wallets[w], out _, out var keyError))
                {
                    failures.Add($"{setting}:Wallets:{w}: {keyError}");
                }
            }
        }

        if (options.MaxAttempts < 1)
        {
            failures.Add($"{section}:MaxAttempts must be at least 1 (got {options.MaxAttempts}).");
        }

        if (options.InitialBackoff <= TimeSpan.Zero)
        {
            failures.Add($"{section}:InitialBackoff must be positive (got {options.InitialBackoff}).");
        }

        if (options.MaxBackoff < options.InitialBackoff)
        {
            failures.Add($"{section}:MaxBackoff ({options.MaxBackoff}) must not be shorter than InitialBackoff ({options.InitialBackoff}).");
        }

        if (options.Timeout <= TimeSpan.Zero)
        {
            failures.Add($"{section}:Timeout must be positive (got {options.Timeout}).");
        }

        if (options.QueueCapacity < 1)
        {
            failures.Add($"{section}:QueueCapacity must be at least 1 (got {options.QueueCapacity}).");
        }

        if (options.DrainTimeout < TimeSpan.Zero)
        {
            failures.Add($"{section}:DrainTimeout must not be negative (got {options.DrainTimeout}).");
        }

        if (options.SinkIdleTimeout <= TimeSpan.Zero)
        {
            failures.Add($"{section}:SinkIdleTimeout must be positive (got {options.SinkIdleTimeout}).");
        }

        if (options.TransactionUrl?.Contains(NotificationOptions.SignaturePlaceholder, StringComparison.Ordinal) != true
            || !IsHttpUrl(options.TransactionLink("sig")))
        {
            failures.Add($"{section}:TransactionUrl must be an absolute http:// or https:// address containing {NotificationOptions.SignaturePlaceholder} (got '{options.TransactionUrl}').");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    /// <summary>What is wrong with a sink of <paramref name="kind"/> at <paramref name="url"/>, or null when it can be delivered to.</summary>
    internal static string? CheckSink(string? kind, string? url)
    {
        if (kind is not (NotificationSink.Webhook or NotificationSink.Discord))
        {
            return $"Kind '{kind}' is not known (use '{NotificationSink.Webhook}' or '{NotificationSink.Discord}')";
        }

        return IsHttpUrl(url) ? null : "Url must be an absolute http:// or https:// address";
    }

    private static bool IsHttpUrl(string? url) =>
        Uri.TryCreate(url, UriKind.Absolute, out var uri) && (uri.Scheme == Uri.UriSchemeHttps || uri.Scheme == Uri.UriSchemeHttp);
}
