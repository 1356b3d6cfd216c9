namespace AccountGrains.Solana.Tests;

public sealed class WellKnownProgramsTests
{
    // Bytes as @solana/web3.js's PublicKey decodes these ids, so they do not depend on our own base58.
    public static TheoryData<string, Pubkey, string> Programs => new()
    {
        { "11111111111111111111111111111111", WellKnownPrograms.System, new string('0', 64) },
        { "TokenkegQfeZyiNwAJbNbGKPFXCWuBvf9Ss623VQ5DA", WellKnownPrograms.SplToken, "06ddf6e1d765a193d9cbe146ceeb79ac1cb485ed5f5b37913a8cf5857eff00a9" },
        { "TokenzQdBNbLqP5VEhdkAS6EPFLC1PHnBqCXEpPxuEb", WellKnownPrograms.Token2022, "06ddf6e1ee758fde18425dbce46ccddab61afc4d83b90d27febdf928d8a18bfc" },
        { "ATokenGPvbdGVxr1b2hvZbsiqW5xWH25efTNsLJA8knL", WellKnownPrograms.AssociatedToken, "8c97258f4e2489f1bb3d1029148e0d830b5a1399daff1084048e7bd8dbe9f859" },
        { "cpamdpZCGKUy5JxQXB4dcpGPiikHawvSWAd6mEn1sGG", WellKnownPrograms.MeteoraDammV2, "092d2135657a159c2b87d4b66a70db8e9752389ff76aaf206ced063a38f95aed" },
    };

    [Theory]
    [MemberData(nameof(Programs))]
    public void Program_id_has_the_published_text_and_bytes(string text, Pubkey id, string hex)
    {
        id.ToString().Should().Be(text);
        id.ToArray().Should().Equal(Convert.FromHexString(hex));
    }

    [Fact]
    public void The_system_program_is_the_default_key()
    {
        WellKnownPrograms.System.IsDefault.Should().BeTrue();
    }
}
