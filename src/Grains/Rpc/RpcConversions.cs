using AccountGrains.Solana;
using AccountGrains.Solana.Rpc;

namespace AccountGrains.Grains.Rpc;

/// <summary>RPC answers as account updates: stamped with the slot the node answered at and write version 0, so any
/// write the stream delivers for that slot or later wins over them.</summary>
internal static class RpcConversions
{
    private static readonly string SystemProgram = WellKnownPrograms.System.ToString();

    public static AccountUpdate ToUpdate(string pubkey, RpcAccount? account, ulong slot, DateTimeOffset now) => account is null
        ? new AccountUpdate(pubkey, SystemProgram, 0, [], false, 0, slot, 0, null, now) // no account: closed (or never opened)
        : new AccountUpdate(pubkey, account.Owner, account.Lamports, account.Data, account.Executable, account.RentEpoch, slot, 0, null, now);

    public static RpcFilter ToRpc(AccountFilter filter) => filter.DataSize is { } size
        ? new RpcFilter.DataSize(size)
        : new RpcFilter.Memcmp(checked((int)filter.MemcmpOffset!.Value), filter.MemcmpBytes!);
}
