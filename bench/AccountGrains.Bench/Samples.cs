using AccountGrains.Solana;

namespace AccountGrains.Bench;

/// <summary>Realistic account bytes and replay lines for the benchmarks.</summary>
internal static class Samples
{
    public static byte[] TokenAccount(Random random, ulong amount)
    {
        var data = new byte[165];
        random.NextBytes(data.AsSpan(0, 64));
        BitConverter.TryWriteBytes(data.AsSpan(64, 8), amount);
        data[108] = 1;
        return data;
    }

    public static byte[] Mint(Random random)
    {
        var data = new byte[82];
        data[0] = 1;
        random.NextBytes(data.AsSpan(4, 32));
        BitConverter.TryWriteBytes(data.AsSpan(36, 8), 5_000_000_000_000_000UL);
        data[44] = 6;
        data[45] = 1;
        return data;
    }

    public static string NewPubkey(Random random)
    {
        var bytes = new byte[32];
        random.NextBytes(bytes);
        return Base58.Encode(bytes);
    }

    public static string ReplayLine(string pubkey, string owner, byte[] data, ulong slot, ulong writeVersion) =>
        $$"""{"pubkey":"{{pubkey}}","owner":"{{owner}}","lamports":2039280,"data":"{{Convert.ToBase64String(data)}}","executable":false,"rent_epoch":18446744073709551615,"slot":{{slot}},"write_version":{{writeVersion}}}""";
}
