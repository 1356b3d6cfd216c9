namespace AccountGrains.Solana;

/// <summary>Program ids that the decoders and the gateway refer to by name.</summary>
public static class WellKnownPrograms
{
    /// <summary>The system program; its id is the all-zero key, 32 '1's in base58.</summary>
    public static Pubkey System { get; } = Pubkey.Default;

    /// <summary>The original SPL Token program.</summary>
    public static Pubkey SplToken { get; } = Pubkey.Parse("TokenkegQfeZyiNwAJbNbGKPFXCWuBvf9Ss623VQ5DA");

    /// <summary>SPL Token-2022 (token extensions); its base mint and account layouts extend SPL Token's.</summary>
    public static Pubkey Token2022 { get; } = Pubkey.Parse("TokenzQdBNbLqP5VEhdkAS6EPFLC1PHnBqCXEpPxuEb");

    /// <summary>The associated token account program.</summary>
    public static Pubkey AssociatedToken { get; } = Pubkey.Parse("ATokenGPvbdGVxr1b2hvZbsiqW5xWH25efTNsLJA8knL");

    /// <summary>Meteora DAMM v2 (constant-product AMM).</summary>
    public static Pubkey MeteoraDammV2 { get; } = Pubkey.Parse("cpamdpZCGKUy5JxQXB4dcpGPiikHawvSWAd6mEn1sGG");
}
