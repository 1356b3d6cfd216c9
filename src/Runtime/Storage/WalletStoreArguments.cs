using System.Runtime.CompilerServices;

namespace AccountGrains.Runtime.Storage;

/// <summary>
/// The argument rules every <see cref="IWalletStore"/> applies, in one place so the database stores and the in-memory
/// one refuse the same input with the same message.
/// </summary>
internal static class WalletStoreArguments
{
    /// <summary>Throws <see cref="ArgumentException"/> (<see cref="ArgumentNullException"/> for null) unless <paramref name="address"/> has text.</summary>
    public static void Address(string? address, [CallerArgumentExpression(nameof(address))] string? name = null)
    {
        if (string.IsNullOrEmpty(address))
        {
            ArgumentNullException.ThrowIfNull(address, name);
            throw new ArgumentException("A wallet address (base58) is required; got an empty string.", name);
        }
    }

    public static void Wallet(WalletState wallet)
    {
        ArgumentNullException.ThrowIfNull(wallet);
        Address(wallet.Address);
    }

    public static void Activity(WalletActivityEntry activity)
    {
        ArgumentNullException.ThrowIfNull(activity);
        Address(activity.Wallet);
        ArgumentException.ThrowIfNullOrEmpty(activity.Signature);
    }

    public static void DeadLetter(NotificationDeadLetter letter)
    {
        ArgumentNullException.ThrowIfNull(letter);
        Address(letter.Wallet);
    }

    /// <summary>How many entries a page of <paramref name="query"/> holds: its limit, clamped to 1..<see cref="ActivityQuery.MaxLimit"/>.</summary>
    public static int PageSize(ActivityQuery query)
    {
        ArgumentNullException.ThrowIfNull(query);
        return Math.Clamp(query.Limit, 1, ActivityQuery.MaxLimit);
    }

    /// <summary>The cursor of <paramref name="query"/>: null (or empty) for the newest page.</summary>
    public static string? Before(ActivityQuery query) => string.IsNullOrEmpty(query.Before) ? null : query.Before;

    public static void Keep(int keep)
    {
        if (keep <= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(keep), keep,
                "keep must be at least 1: the number of a wallet's newest activity entries that pruning leaves.");
        }
    }

    public static void Limit(int limit)
    {
        if (limit <= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(limit), limit, "limit must be at least 1: the most dead letters to read.");
        }
    }

    /// <summary>A wallet filter is null (every wallet) or an address.</summary>
    public static void WalletFilter(string? wallet)
    {
        if (wallet is not null)
        {
            Address(wallet);
        }
    }
}
