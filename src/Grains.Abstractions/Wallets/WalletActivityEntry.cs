namespace AccountGrains;

/// <summary>
/// One transaction as it concerns one wallet (see <c>src/Solana/Transactions/README.md</c> for how it is worked out).
/// </summary>
/// <param name="Wallet">The wallet (base58).</param>
/// <param name="Signature">The transaction's first signature (base58): its identity.</param>
/// <param name="Slot">The slot it landed in.</param>
/// <param name="BlockTime">Unix seconds of the block; null when the upstream did not say.</param>
/// <param name="Succeeded">False for a failed transaction (its fee was charged all the same).</param>
/// <param name="Error">Why it failed, one line; null on success.</param>
/// <param name="Fee">Its fee in lamports, whoever paid it.</param>
/// <param name="PaidFee">The wallet paid the fee.</param>
/// <param name="SolChange">Lamports: the wallet's post minus pre balance, fee and rent included.</param>
/// <param name="SolTransferred">Lamports the wallet sent (negative) or received, fee and token-account rent aside.</param>
/// <param name="TokenChanges">Per mint, over the token accounts the wallet owns.</param>
/// <param name="Counterparties">Whose SOL or tokens moved the other way.</param>
/// <param name="Summary">One line: "5F…vFpX sent 50 SOL to 3K…zVpQ".</param>
/// <param name="PostLamports">The wallet's balance after the transaction, when its account is in it.</param>
/// <param name="PostHoldings">The wallet's token accounts in the transaction, after it.</param>
/// <param name="ReceivedAt">When the ingest read it.</param>
/// <param name="ClosedTokenAccounts">The wallet's token accounts the transaction closed (in the pre balances, not in the post ones): no update of a closed account reaches the wallet, so this is how it leaves the holdings.</param>
public sealed record WalletActivityEntry(
    string Wallet,
    string Signature,
    ulong Slot,
    long? BlockTime,
    bool Succeeded,
    string? Error,
    ulong Fee,
    bool PaidFee,
    long SolChange,
    long SolTransferred,
    IReadOnlyList<WalletTokenChange> TokenChanges,
    IReadOnlyList<WalletCounterparty> Counterparties,
    string Summary,
    ulong? PostLamports,
    IReadOnlyList<TokenHolding> PostHoldings,
    DateTimeOffset ReceivedAt,
    IReadOnlyList<string>? ClosedTokenAccounts = null);

/// <summary>A mint's change over the wallet's token accounts: <paramref name="RawChange"/> in base units (a decimal integer string), <paramref name="Amount"/> scaled ("-1.5").</summary>
public sealed record WalletTokenChange(
    string Mint,
    string? Program,
    string RawChange,
    int Decimals,
    string Amount,
    int AccountsCreated,
    int AccountsClosed);

/// <summary>Another party: its change of SOL (<paramref name="Mint"/> null, lamports) or of one mint (base units), as a decimal integer string.</summary>
public sealed record WalletCounterparty(string Address, string? Mint, string RawChange);

/// <summary>
/// An event on <c>wallet.&lt;address&gt;</c>: new activity (<paramref name="Activity"/> set), or a balance or
/// tracking change (only <paramref name="State"/>). <paramref name="Sequence"/> grows by one per event of the
/// wallet, so consumers drop what they have seen.
/// </summary>
public sealed record WalletChanged(string Address, long Sequence, WalletState State, WalletActivityEntry? Activity);

/// <summary>A notification that could not be delivered after every retry.</summary>
/// <param name="Sink">Kind and URL of the sink (never its secret).</param>
/// <param name="Wallet">The wallet the notification was about.</param>
/// <param name="Signature">The transaction it was about.</param>
/// <param name="Attempts">How many deliveries were tried.</param>
/// <param name="LastError">Why the last one failed.</param>
/// <param name="Payload">The body that was to be sent.</param>
/// <param name="FailedAt">When it was given up.</param>
public sealed record NotificationDeadLetter(
    string Sink,
    string Wallet,
    string Signature,
    int Attempts,
    string LastError,
    string Payload,
    DateTimeOffset FailedAt);
