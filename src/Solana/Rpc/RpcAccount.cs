namespace AccountGrains.Solana.Rpc;

/// <summary>An account as the node returns it; <paramref name="Owner"/> is the owning program's base58 id.</summary>
public sealed record RpcAccount(string Owner, ulong Lamports, byte[] Data, bool Executable, ulong RentEpoch);

/// <summary>An account with its address, as getProgramAccounts and getTokenAccountsByOwner return them.</summary>
public sealed record RpcKeyedAccount(string Pubkey, RpcAccount Account);
