namespace AccountGrains.Solana.Transactions;

/// <summary>Short symbols for the mints activity summaries name by symbol; any other mint is shown by its short address.</summary>
public static class KnownMints
{
    /// <summary>The native mint: token accounts of it hold wrapped SOL, which summaries count as SOL.</summary>
    public static Pubkey WrappedSol { get; } = Pubkey.Parse("So11111111111111111111111111111111111111112");

    private static readonly Dictionary<Pubkey, string> Symbols = new()
    {
        [Pubkey.Parse("EPjFWdd5AufqSSqeM2qN1xzybapC8G4wEGGkZwyTDt1v")] = "USDC",
        [Pubkey.Parse("Es9vMFrzaCERmJfrF4H2FYD4KCoNkY11McCe8BenwNYB")] = "USDT",
        [Pubkey.Parse("DezXAZ8z7PnrnRJjz3wXBoRgixCa6xjnB7YaB1pPB263")] = "BONK",
        [Pubkey.Parse("JUPyiwrYJFskUPiHa7hkeR8VUtAeFoSYbKedZNsDvCN")] = "JUP",
        [WrappedSol] = "wSOL",
    };

    /// <summary>"USDC" for the USDC mint…, else the mint's short address ("Ab…wxyz").</summary>
    public static string Symbol(Pubkey mint)
    {
        return Symbols.TryGetValue(mint, out string? symbol) ? symbol : mint.ToShortString();
    }
}
