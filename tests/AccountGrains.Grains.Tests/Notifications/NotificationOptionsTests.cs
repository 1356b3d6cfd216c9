using AccountGrains.Grains.Notifications;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace AccountGrains.Grains.Tests.Notifications;

public sealed class NotificationOptionsTests
{
    private static NotificationOptions Bind(Dictionary<string, string?> settings)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddSingleton<Runtime.Storage.IWalletStore>(new DeadLetterStore());
        services.AddAccountGrainsNotifications(configuration);
        using var provider = services.BuildServiceProvider();
        return provider.GetRequiredService<IOptions<NotificationOptions>>().Value;
    }

    [Fact]
    public void Settings_bind_from_AccountGrains_Notifications_with_safe_defaults()
    {
        var options = Bind(new()
        {
            ["AccountGrains:Notifications:Sinks:0:Kind"] = "discord",
            ["AccountGrains:Notifications:Sinks:0:Url"] = "https://discord.com/api/webhooks/1/abc",
            ["AccountGrains:Notifications:Sinks:0:Wallets:0"] = NotificationHarness.WalletA,
            ["AccountGrains:Notifications:Sinks:1:Url"] = "https://hooks.example.com/solana",
            ["AccountGrains:Notifications:Sinks:1:Secret"] = "k",
            ["AccountGrains:Notifications:MaxAttempts"] = "3",
        });

        options.Enabled.Should().BeTrue();
        options.MaxAttempts.Should().Be(3);
        options.InitialBackoff.Should().Be(TimeSpan.FromSeconds(1));
        options.MaxBackoff.Should().Be(TimeSpan.FromSeconds(60));
        options.Timeout.Should().Be(TimeSpan.FromSeconds(10));
        options.QueueCapacity.Should().Be(10_000);
        options.TransactionLink("abc").Should().Be("https://solscan.io/tx/abc");
        options.Sinks.Should().HaveCount(2);
        options.Sinks[0].Kind.Should().Be("discord");
        options.Sinks[0].Wallets.Should().Equal(NotificationHarness.WalletA);
        options.Sinks[1].Kind.Should().Be("webhook", "webhook is the default kind");
        options.Sinks[1].Secret.Should().Be("k");
        options.Sinks[1].Wallets.Should().BeEmpty();
    }

    [Fact]
    public void Wrong_settings_fail_at_start_naming_each_setting()
    {
        var act = () => Bind(new()
        {
            ["AccountGrains:Notifications:Sinks:0:Kind"] = "slack",
            ["AccountGrains:Notifications:Sinks:0:Url"] = "https://hooks.example.com/x",
            ["AccountGrains:Notifications:Sinks:1:Url"] = "ftp://example.com/x",
            ["AccountGrains:Notifications:Sinks:1:Wallets:0"] = "not-a-key",
            ["AccountGrains:Notifications:MaxAttempts"] = "0",
            ["AccountGrains:Notifications:InitialBackoff"] = "00:00:10",
            ["AccountGrains:Notifications:MaxBackoff"] = "00:00:05",
            ["AccountGrains:Notifications:Timeout"] = "00:00:00",
            ["AccountGrains:Notifications:QueueCapacity"] = "0",
            ["AccountGrains:Notifications:TransactionUrl"] = "https://solscan.io/tx/",
        });

        var failures = act.Should().Throw<OptionsValidationException>().Which.Failures.ToList();
        failures.Should().Contain("AccountGrains:Notifications:Sinks:0: Kind 'slack' is not known (use 'webhook' or 'discord').");
        failures.Should().Contain("AccountGrains:Notifications:Sinks:1: Url must be an absolute http:// or https:// address.");
        failures.Should().Contain(f => f.StartsWith("AccountGrains:Notifications:Sinks:1:Wallets:0: ", StringComparison.Ordinal));
        failures.Should().Contain("AccountGrains:Notifications:MaxAttempts must be at least 1 (got 0).");
        failures.Should().Contain("AccountGrains:Notifications:MaxBackoff (00:00:05) must not be shorter than InitialBackoff (00:00:10).");
        failures.Should().Contain("AccountGrains:Notifications:Timeout must be positive (got 00:00:00).");
        failures.Should().Contain("AccountGrains:Notifications:QueueCapacity must be at least 1 (got 0).");
        failures.Should().Contain(f => f.StartsWith("AccountGrains:Notifications:TransactionUrl must be an absolute", StringComparison.Ordinal));
        failures.Should().HaveCount(8);
    }
}
