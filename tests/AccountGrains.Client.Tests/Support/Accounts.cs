namespace AccountGrains.Client.Tests.Support;

/// <summary>Pubkeys and account updates for tests: system-owned accounts without data, at chosen tokens.</summary>
public static class Accounts
{
    public const string SystemProgram = "11111111111111111111111111111111";

    public static string NewPubkey()
    {
        var bytes = new byte[32];
        Random.Shared.NextBytes(bytes);
        return Solana.Base58.Encode(bytes);
    }

    public static AccountUpdate Update(string pubkey, ulong slot, ulong writeVersion, ulong lamports, string owner = SystemProgram) =>
        new(pubkey, owner, lamports, [], false, ulong.MaxValue, slot, writeVersion, null, DateTimeOffset.UtcNow);

    /// <summary>A state as a grain would publish it (for tests of the subscription alone).</summary>
    public static AccountState State(string pubkey, ulong slot, ulong writeVersion, ulong lamports = 1, string owner = SystemProgram) =>
        new(pubkey, owner, lamports, [], false, ulong.MaxValue, slot, writeVersion, null,
            new DecodedAccount("system", "wallet", "{}"u8.ToArray(), null), DateTimeOffset.UnixEpoch);
}
