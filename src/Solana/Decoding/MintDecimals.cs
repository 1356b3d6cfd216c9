using System.Collections.Concurrent;

namespace AccountGrains.Solana.Decoding;

/// <summary>Finds a mint's decimals, for decoders that scale amounts or prices (a DAMM v2 pool's price).</summary>
public interface IMintDecimalsLookup
{
    bool TryGetDecimals(Pubkey mint, out byte decimals);
}

/// <summary>
/// The decimals of every SPL Token and Token-2022 mint this process has seen, recorded as mint accounts pass through
/// decoding. A pool decoded before its mints were seen has no decimal-adjusted price until its next update.
/// </summary>
public sealed class MintDecimalsCache : IMintDecimalsLookup
{
    /// <summary>Most mints kept; past it new mints are not recorded (mainnet has far fewer actively traded mints).</summary>
    public const int MaxMints = 1_000_000;

    private const int MintLength = 82;
    private const int DecimalsOffset = 44;
    private const int IsInitializedOffset = 45;
    private const int Token2022AccountTypeOffset = 165;
    private const byte Token2022MintAccountType = 1;

    // One list per thread, reused: decoding runs per account update.
    [ThreadStatic]
    private static List<Pubkey>? s_misses;

    [ThreadStatic]
    private static bool s_recording;

    private readonly ConcurrentDictionary<Pubkey, byte> _decimals = new();

    public int Count => _decimals.Count;

    public bool TryGetDecimals(Pubkey mint, out byte decimals)
    {
        if (_decimals.TryGetValue(mint, out decimals))
        {
            return true;
        }

        if (s_recording)
        {
            s_misses!.Add(mint);
        }

        return false;
    }

    /// <summary>
    /// Notes, on this thread, every mint a decoder asks for and this cache does not know, until
    /// <see cref="EndRecordingMisses"/>. Decoding is synchronous, so the misses are exactly those of the decode in
    /// between: the caller can find those mints elsewhere and decode again.
    /// </summary>
    public static void BeginRecordingMisses()
    {
        (s_misses ??= []).Clear();
        s_recording = true;
    }

    /// <summary>The mints asked for and not known since <see cref="BeginRecordingMisses"/>; stops recording.</summary>
    public static Pubkey[] EndRecordingMisses()
    {
        s_recording = false;
        return s_misses is { Count: > 0 } list ? list.Distinct().ToArray() : [];
    }

    public void Record(Pubkey mint, byte decimals)
    {
        if (_decimals.Count < MaxMints || _decimals.ContainsKey(mint))
        {
            _decimals[mint] = decimals;
        }
    }

    /// <summary>True when <paramref name="owner"/> and <paramref name="data"/> describe an initialized token mint.</summary>
    public static bool IsMint(Pubkey owner, ReadOnlySpan<byte> data) =>
        (owner == WellKnownPrograms.SplToken && data.Length == MintLength
            || owner == WellKnownPrograms.Token2022 && (data.Length == MintLength
                || data.Length > Token2022AccountTypeOffset && data[Token2022AccountTypeOffset] == Token2022MintAccountType))
        && data[IsInitializedOffset] == 1;

    /// <summary>Records the decimals when the account is an initialized mint; returns whether it was one.</summary>
    public bool TryRecord(Pubkey account, Pubkey owner, ReadOnlySpan<byte> data)
    {
        if (!IsMint(owner, data))
        {
            return false;
        }

        Record(account, data[DecimalsOffset]);
        return true;
    }
}
