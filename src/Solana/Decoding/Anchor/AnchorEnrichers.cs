using AccountGrains.Solana.Decoding.Meteora;

namespace AccountGrains.Solana.Decoding.Anchor;

/// <summary>The enrichers this library ships, chosen by program id.</summary>
public static class AnchorEnrichers
{
    /// <summary>The enricher for a program's accounts, or null when there is none for that program.</summary>
    /// <param name="programId">The program whose accounts are decoded.</param>
    /// <param name="mints">Mint decimals for decimal-adjusted prices; null to leave them out.</param>
    public static IAnchorAccountEnricher? For(Pubkey programId, IMintDecimalsLookup? mints)
    {
        return programId == WellKnownPrograms.MeteoraDammV2 ? new DammV2Enricher(mints) : null;
    }
}
