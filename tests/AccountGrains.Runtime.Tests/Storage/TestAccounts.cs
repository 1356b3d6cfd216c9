using System.Text;

namespace AccountGrains.Runtime.Tests.Storage;

/// <summary>Account states for storage tests. Pubkeys are unique per call so tests can share one database.</summary>
internal static class TestAccounts
{
    public static readonly DateTimeOffset CreatedAt = DateTimeOffset.FromUnixTimeMilliseconds(1_700_000_000_123);

    public static string NewPubkey() => "Test" + Guid.NewGuid().ToString("N");

    public static AccountState State(string pubkey, ulong slot, ulong writeVersion, ulong lamports = 1_000_000) =>
        new(
            Pubkey: pubkey,
            Owner: "TokenkegQfeZyiNwAJbNbGKPFXCWuBvf9Ss623VQ5DA",
            Lamports: lamports,
            Data: [(byte)slot, (byte)writeVersion, 0xff],
            Executable: false,
            RentEpoch: 361,
            Slot: slot,
            WriteVersion: writeVersion,
            TxnSignature: $"sig-{slot}-{writeVersion}",
            Decoded: new DecodedAccount("spl-token", "account", Encoding.UTF8.GetBytes($"{{\"slot\":{slot}}}"), null),
            CreatedAt: CreatedAt);
}
