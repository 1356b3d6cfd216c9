namespace AccountGrains.Solana.Transactions;

/// <summary>
/// A token account's balance before or after a transaction. <paramref name="AccountIndex"/> indexes
/// <see cref="TransactionFacts.AccountKeys"/>; <paramref name="Amount"/> is in base units (u64);
/// <paramref name="Owner"/> and <paramref name="ProgramId"/> are null when the node did not record them (old transactions).
/// </summary>
public sealed record TokenBalanceFact(int AccountIndex, Pubkey Mint, Pubkey? Owner, Pubkey? ProgramId, ulong Amount, byte Decimals);
