using Microsoft.Extensions.Options;

namespace AccountGrains.Grains.Wallets;

/// <summary>Wallet tracking, bound from <c>AccountGrains:Wallets</c>.</summary>
public sealed class WalletOptions
{
    public const string SectionName = "AccountGrains:Wallets";

    /// <summary>Most wallets tracked at once, across the cluster; tracking one more fails clearly. Default 10,000.</summary>
    public int MaxTracked { get; set; } = 10_000;

    /// <summary>Activity entries kept per wallet (the newest); older ones are pruned. Default 1,000.</summary>
    public int ActivityRetention { get; set; } = 1_000;

    /// <summary>Most notification sinks of one wallet (global sinks are configured apart). Default 5.</summary>
    public int MaxSinksPerWallet { get; set; } = 5;

    /// <summary>Longest tracker name. Default 64.</summary>
    public int MaxTrackerLength { get; set; } = 64;
}

public sealed class WalletOptionsValidator : IValidateOptions<WalletOptions>
{
    public ValidateOptionsResult Validate(string? name, WalletOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = new List<string>();
        Positive(failures, nameof(WalletOptions.MaxTracked), options.MaxTracked);
        Positive(failures, nameof(WalletOptions.ActivityRetention), options.ActivityRetention);
        Positive(failures, nameof(WalletOptions.MaxTrackerLength), options.MaxTrackerLength);
        if (options.MaxSinksPerWallet < 0)
        {
            failures.Add($"{WalletOptions.SectionName}:{nameof(WalletOptions.MaxSinksPerWallet)} must not be negative (got {options.MaxSinksPerWallet}).");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    private static void Positive(List<string> failures, string setting, int value)
    {
        if (value <= 0)
        {
            failures.Add($"{WalletOptions.SectionName}:{setting} must be positive (got {value}).");
        }
    }
}
