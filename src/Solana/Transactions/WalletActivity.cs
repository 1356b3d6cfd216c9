using System.Numerics;

namespace AccountGrains.Solana.Transactions;

/// <summary>
/// What one transaction did to one wallet (see <see cref="WalletActivityAnalyzer"/> and README.md beside this file).
/// </summary>
/// <param name="Wallet">The wallet the activity is about.</param>
/// <param name="Signature">The transaction's first signature, base58.</param>
/// <param name="Slot">The slot the transaction landed in.</param>
/// <param name="BlockTime">Unix seconds; null when the source did not say.</param>
/// <param name="Succeeded">False for a failed transaction, whose fee was still charged.</param>
/// <param name="Error">Why it failed, one line; null on success.</param>
/// <param name="Fee">The transaction's fee in lamports, whoever paid it.</param>
/// <param name="PaidFee">True when the wallet is the fee payer.</param>
/// <param name="SolChange">
/// Lamports: the wallet account's post minus pre balance. Includes the fee when the wallet paid it
/// (<paramref name="PaidFee"/>) and any rent moved into new or out of closed token accounts.
/// </param>
/// <param name="SolTransferred">
/// Lamports the wallet sent (negative) or received (positive) apart from the fee it paid and the rent of token
/// accounts it created (as fee payer) or closed: what the summary calls "sent 50 SOL". Wrapped SOL is not in it.
/// </param>
/// <param name="TokenChanges">Per mint, summed over the token accounts the wallet owns; mints whose amount did not change are listed only when an account was created or closed.</param>
/// <param name="Counterparties">Accounts (for tokens: token account owners) whose SOL or the same mint moved the opposite way.</param>
/// <param name="Summary">One line: "5F…vFpX sent 50 SOL to 3K…zVpQ".</param>
public sealed record WalletActivity(
    Pubkey Wallet,
    string Signature,
    ulong Slot,
    long? BlockTime,
    bool Succeeded,
    string? Error,
    ulong Fee,
    bool PaidFee,
    long SolChange,
    long SolTransferred,
    IReadOnlyList<TokenChange> TokenChanges,
    IReadOnlyList<Counterparty> Counterparties,
    string Summary);

/// <summary>
/// The change of one mint across the token accounts a wallet owns. <paramref name="RawChange"/> is in base units;
/// <see cref="Amount"/> is the same scaled by <paramref name="Decimals"/>, exactly ("-1.5").
/// </summary>
public sealed record TokenChange(
    Pubkey Mint, Pubkey? ProgramId, BigInteger RawChange, byte Decimals, int AccountsCreated, int AccountsClosed)
{
    public string Amount => TokenAmount.Format(RawChange, Decimals);
}

/// <summary>
/// Another party in a transaction: its net change of SOL (<paramref name="Mint"/> null; lamports, wrapped SOL
/// included) or of one mint (base units), opposite in sign to the wallet's.
/// </summary>
public sealed record Counterparty(Pubkey Address, Pubkey? Mint, BigInteger RawChange);
