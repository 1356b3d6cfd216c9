namespace AccountGrains.Gateway.Tests.Support;

/// <summary>Builds account updates for tests: system accounts (no data) at chosen slots.</summary>
public static class Updates
{
    public const string SystemProgram = "11111111111111111111111111111111";

    public static string NewPubkey()
    {
        var bytes = new byte[32];
        Random.Shared.NextBytes(bytes);
        return AccountGrains.Solana.Base58.Encode(bytes);
    }

    public static AccountUpdate SystemAccount(string pubkey, ulong slot, ulong writeVersion, ulong lamports) =>
        new(pubkey, SystemProgram, lamports, [], false, ulong.MaxValue, slot, writeVersion, null, DateTimeOffset.UtcNow);
}
