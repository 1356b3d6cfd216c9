using System.Security.Cryptography;

namespace AccountGrains.Solana.Tests.Rpc;

internal static class Keys
{
    public static string New()
    {
        return Base58.Encode(RandomNumberGenerator.GetBytes(32));
    }

    /// <summary>A signature-like base58 string (64 bytes).</summary>
    public static string Signature()
    {
        return Base58.Encode(RandomNumberGenerator.GetBytes(64));
    }

    /// <summary>An SPL token account's 165 bytes: mint at 0, owner at 32, amount at 64.</summary>
    public static byte[] TokenAccount(string mint, string owner, ulong amount)
    {
        var data = new byte[165];
        Pubkey.Parse(mint).CopyTo(data);
        Pubkey.Parse(owner).CopyTo(data.AsSpan(32));
        BitConverter.TryWriteBytes(data.AsSpan(64), amount);
        data[108] = 1;
        return data;
    }
}
