using AccountGrains.Solana;
using AccountGrains.Solana.Transactions;
using AccountGrains.Testing.Transactions;

namespace AccountGrains.Bench.Wallets;

/// <summary>One transaction of a round: what the router gets, and how many activity entries it must produce.</summary>
internal sealed record BenchTransaction(TransactionFacts Facts, string Signature, int Entries);

/// <summary>
/// A round's wallets and transactions, built before the clock starts and with fresh signatures every time (activity is
/// deduplicated by signature). Even transactions send SOL from one tracked wallet to another (two entries); odd ones
/// send USDC from an untracked sender into a tracked wallet's token account, which the transaction names only
/// through its token balances (one entry).
/// </summary>
internal sealed class WalletWorkload
{
    private const ulong Sol = 1_000_000_000;
    private const ulong AtaRent = 2_039_280;
    private const ulong FirstSlot = 320_000_000;
    private static readonly Pubkey Usdc = Pubkey.Parse("EPjFWdd5AufqSSqeM2qN1xzybapC8G4wEGGkZwyTDt1v");

    private WalletWorkload(string[] wallets, BenchTransaction[] transactions)
    {
        Wallets = wallets;
        Transactions = transactions;
        Index = transactions.Select((t, i) => (t.Signature, i)).ToDictionary(p => p.Signature, p => p.i, StringComparer.Ordinal);
        Entries = transactions.Sum(t => t.Entries);
    }

    public string[] Wallets { get; }

    public BenchTransaction[] Transactions { get; }

    /// <summary>Position of each transaction by signature.</summary>
    public IReadOnlyDictionary<string, int> Index { get; }

    /// <summary>Activity entries the whole round must produce.</summary>
    public int Entries { get; }

    /// <summary>Activity entries of <paramref name="transactions"/> transactions: two per SOL transfer, one per token transfer.</summary>
    public static int EntriesOf(int transactions) => ((transactions + 1) / 2 * 2) + (transactions / 2);

    public static WalletWorkload Create(int transactions, int walletCount, int seed)
    {
        var random = new Random(seed);
        var wallets = Enumerable.Range(0, walletCount).Select(_ => TransactionBuilder.NewKey()).ToArray();
        var tokenAccounts = wallets.Select(_ => TransactionBuilder.NewKey()).ToArray();
        var list = new BenchTransaction[transactions];
        for (var i = 0; i < transactions; i++)
        {
            var slot = FirstSlot + (ulong)(i / 20);
            var tx = new TransactionBuilder { Slot = slot, BlockTime = 1_700_000_000 + (long)slot };
            var amount = (ulong)random.Next(1, 1_000) * 1_000_000;
            var to = random.Next(walletCount);
            int entries;
            if (i % 2 == 0)
            {
                var from = (to + random.Next(1, walletCount)) % walletCount;
                tx.Key(wallets[from], 100 * Sol, (100 * Sol) - amount - tx.Fee);
                tx.Key(wallets[to], 10 * Sol, (10 * Sol) + amount);
                tx.Unchanged(WellKnownPrograms.System);
                entries = 2;
            }
            else
            {
                var sender = TransactionBuilder.NewKey();
                tx.Key(sender, 5 * Sol, (5 * Sol) - tx.Fee);
                var source = tx.Key(TransactionBuilder.NewKey(), AtaRent, AtaRent);
                var target = tx.Key(tokenAccounts[to], AtaRent, AtaRent);
                tx.Unchanged(WellKnownPrograms.SplToken);
                tx.Token(source, Usdc, sender, 900_000_000_000, 900_000_000_000 - amount, 6);
                tx.Token(target, Usdc, wallets[to], 10_000_000, 10_000_000 + amount, 6);
                entries = 1;
            }

            list[i] = new BenchTransaction(tx.Facts(TransactionSource.Yellowstone), tx.SignatureText, entries);
        }

        return new WalletWorkload([.. wallets.Select(w => w.ToString())], list);
    }
}
