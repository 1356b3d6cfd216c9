using System.Text;

namespace AccountGrains.Runtime.Partitioning;

/// <summary>
/// Maps a grain key to its partition. The hash must be the same in every process, version and platform, because
/// partitions name queues and leases: it is FNV-1a 64 over the key's UTF-8 bytes followed by the MurmurHash3 fmix64
/// finalizer (FNV alone mixes the low bits poorly). Never <see cref="string.GetHashCode()"/>, which is randomised per
/// process.
/// </summary>
public static class PartitionHash
{
    private const ulong FnvOffsetBasis = 14695981039346656037UL;
    private const ulong FnvPrime = 1099511628211UL;

    public static ulong Hash64(string key)
    {
        ArgumentNullException.ThrowIfNull(key);
        // A base58 pubkey is 32-44 chars; 3 bytes per char covers any UTF-16 code unit.
        Span<byte> stack = stackalloc byte[256];
        var buffer = key.Length * 3 <= stack.Length ? stack : new byte[Encoding.UTF8.GetByteCount(key)];
        var length = Encoding.UTF8.GetBytes(key, buffer);
        return Hash64(buffer[..length]);
    }

    public static ulong Hash64(ReadOnlySpan<byte> utf8Key)
    {
        var hash = FnvOffsetBasis;
        foreach (var b in utf8Key)
        {
            hash ^= b;
            hash *= FnvPrime;
        }

        return Fmix64(hash);
    }

    /// <summary>The partition of <paramref name="key"/> among <paramref name="partitionCount"/> partitions.</summary>
    public static int PartitionOf(string key, int partitionCount)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(partitionCount, 1);
        return (int)(Hash64(key) % (ulong)partitionCount);
    }

    private static ulong Fmix64(ulong k)
    {
        k ^= k >> 33;
        k *= 0xff51afd7ed558ccdUL;
        k ^= k >> 33;
        k *= 0xc4ceb9fe1a85ec53UL;
        k ^= k >> 33;
        return k;
    }
}
