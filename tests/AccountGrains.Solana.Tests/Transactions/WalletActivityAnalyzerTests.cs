using System.Numerics;
using AccountGrains.Solana.Transactions;

using AccountGrains.Testing.Transactions;

namespace AccountGrains.Solana.Tests.Transactions;

public sealed class WalletActivityAnalyzerTests
{
    private const ulong Sol = 1_000_000_000;
    private const ulong AtaRent = 2_039_280;

    private static readonly Pubkey Wallet = Pubkey.Parse("5iXbHL2b9no9EG7qFFKsyR9vn53dcyr6Zq5haJfVQqQ2");
    private static readonly Pubkey Usdc = Pubkey.Parse("EPjFWdd5AufqSSqeM2qN1xzybapC8G4wEGGkZwyTDt1v");
    private static readonly Pubkey Bonk = Pubkey.Parse("DezXAZ8z7PnrnRJjz3wXBoRgixCa6xjnB7YaB1pPB263");
    private static readonly Pubkey WrappedSol = Pubkey.Parse("So11111111111111111111111111111111111111112");

    public static TheoryData<TransactionSource> Sources => new() { TransactionSource.Yellowstone, TransactionSource.Rpc };

    [Theory]
    [MemberData(nameof(Sources))]
    public void Sol_sent_by_the_fee_payer_excludes_the_fee_from_the_amount_sent(TransactionSource source)
    {
        Pubkey recipient = TransactionBuilder.NewKey();
        var tx = new TransactionBuilder();
        tx.Key(Wallet, 100 * Sol, (100 * Sol) - (50 * Sol) - 5000);
        tx.Key(recipient, 1 * Sol, 51 * Sol);
        tx.Unchanged(WellKnownPrograms.System);

        WalletActivity activity = WalletActivityAnalyzer.Analyze(tx.Facts(source), Wallet)!;

        activity.Summary.Should().Be($"5i…QqQ2 sent 50 SOL to {Short(recipient)}");
        activity.Signature.Should().Be(tx.SignatureText);
        activity.Slot.Should().Be(345_678);
        activity.BlockTime.Should().Be(1_700_000_000);
        activity.Succeeded.Should().BeTrue();
        activity.Fee.Should().Be(5000);
        activity.PaidFee.Should().BeTrue();
        activity.SolChange.Should().Be(-50_000_005_000);
        activity.SolTransferred.Should().Be(-50_000_000_000);
        activity.TokenChanges.Should().BeEmpty();
        activity.Counterparties.Should().Equal(new Counterparty(recipient, null, 50 * Sol));
    }

    [Theory]
    [MemberData(nameof(Sources))]
    public void Sol_received_from_a_fee_payer_is_the_whole_change(TransactionSource source)
    {
        Pubkey sender = TransactionBuilder.NewKey();
        var tx = new TransactionBuilder();
        tx.Key(sender, 10 * Sol, (10 * Sol) - (2 * Sol) - 5000);
        tx.Key(Wallet, 0, 2 * Sol);
        tx.Unchanged(WellKnownPrograms.System);

        WalletActivity activity = WalletActivityAnalyzer.Analyze(tx.Facts(source), Wallet)!;

        activity.Summary.Should().Be($"5i…QqQ2 received 2 SOL from {Short(sender)}");
        activity.PaidFee.Should().BeFalse();
        activity.SolChange.Should().Be(2_000_000_000);
        activity.SolTransferred.Should().Be(2_000_000_000);
        activity.Counterparties.Should().Equal(new Counterparty(sender, null, -(BigInteger)((2 * Sol) + 5000)));
    }

    [Theory]
    [MemberData(nameof(Sources))]
    public void Spl_token_sent_names_the_recipient_token_accounts_owner(TransactionSource source)
    {
        Pubkey recipient = TransactionBuilder.NewKey();
        var tx = new TransactionBuilder();
        tx.Key(Wallet, 1 * Sol, (1 * Sol) - 5000);
        int mine = tx.Key(TransactionBuilder.NewKey(), AtaRent, AtaRent);
        int theirs = tx.Key(TransactionBuilder.NewKey(), AtaRent, AtaRent);
        tx.Unchanged(Usdc);
        tx.Unchanged(WellKnownPrograms.SplToken);
        tx.Token(mine, Usdc, Wallet, 500_000_000, 487_500_000, 6);
        tx.Token(theirs, Usdc, recipient, 0, 12_500_000, 6);

        WalletActivity activity = WalletActivityAnalyzer.Analyze(tx.Facts(source), Wallet)!;

        activity.Summary.Should().Be($"5i…QqQ2 sent 12.5 USDC to {Short(recipient)}");
        activity.SolChange.Should().Be(-5000);
        activity.SolTransferred.Should().Be(0);
        activity.TokenChanges.Should().Equal(new TokenChange(Usdc, WellKnownPrograms.SplToken, -12_500_000, 6, 0, 0));
        activity.TokenChanges[0].Amount.Should().Be("-12.5");
        activity.Counterparties.Should().Equal(new Counterparty(recipient, Usdc, 12_500_000));
    }

    [Theory]
    [MemberData(nameof(Sources))]
    public void Token_2022_received_into_a_new_account_counts_the_account_as_created(TransactionSource source)
    {
        Pubkey sender = TransactionBuilder.NewKey();
        Pubkey mint = TransactionBuilder.NewKey();
        var tx = new TransactionBuilder();
        tx.Key(sender, 5 * Sol, (5 * Sol) - 5000 - AtaRent);
        int theirs = tx.Key(TransactionBuilder.NewKey(), AtaRent, AtaRent);
        int mine = tx.Key(TransactionBuilder.NewKey(), 0, AtaRent);
        tx.Unchanged(Wallet, 0);
        tx.Unchanged(mint);
        tx.Unchanged(WellKnownPrograms.Token2022);
        tx.Token(theirs, mint, sender, 5_000, 4_000, 0, WellKnownPrograms.Token2022);
        tx.Token(mine, mint, Wallet, null, 1_000, 0, WellKnownPrograms.Token2022);

        WalletActivity activity = WalletActivityAnalyzer.Analyze(tx.Facts(source), Wallet)!;

        activity.Summary.Should().Be($"5i…QqQ2 received 1000 {Short(mint)} from {Short(sender)}");
        activity.SolChange.Should().Be(0);
        activity.TokenChanges.Should().Equal(new TokenChange(mint, WellKnownPrograms.Token2022, 1_000, 0, AccountsCreated: 1, AccountsClosed: 0));
        activity.Counterparties.Should().Equal(new Counterparty(sender, mint, -1_000));
    }

    [Theory]
    [MemberData(nameof(Sources))]
    public void Rent_for_the_recipients_new_token_account_is_not_sol_sent(TransactionSource source)
    {
        Pubkey recipient = TransactionBuilder.NewKey();
        var tx = new TransactionBuilder();
        tx.Key(Wallet, 1 * Sol, (1 * Sol) - 5000 - AtaRent);
        int mine = tx.Key(TransactionBuilder.NewKey(), AtaRent, AtaRent);
        int theirs = tx.Key(TransactionBuilder.NewKey(), 0, AtaRent);
        tx.Unchanged(recipient, 0);
        tx.Unchanged(Usdc);
        tx.Unchanged(WellKnownPrograms.SplToken);
        tx.Token(mine, Usdc, Wallet, 10_000_000, 0, 6);
        tx.Token(theirs, Usdc, recipient, null, 10_000_000, 6);

        WalletActivity activity = WalletActivityAnalyzer.Analyze(tx.Facts(source), Wallet)!;

        activity.Summary.Should().Be($"5i…QqQ2 sent 10 USDC to {Short(recipient)}");
        activity.SolChange.Should().Be(-(long)(5000 + AtaRent));
        activity.SolTransferred.Should().Be(0);
    }

    [Theory]
    [MemberData(nameof(Sources))]
    public void Closing_a_token_account_counts_it_and_its_rent_refund_is_not_sol_received(TransactionSource source)
    {
        Pubkey recipient = TransactionBuilder.NewKey();
        var tx = new TransactionBuilder();
        tx.Key(Wallet, 1 * Sol, (1 * Sol) - 5000 + AtaRent);
        int mine = tx.Key(TransactionBuilder.NewKey(), AtaRent, 0);
        int theirs = tx.Key(TransactionBuilder.NewKey(), AtaRent, AtaRent);
        tx.Unchanged(Bonk);
        tx.Unchanged(WellKnownPrograms.SplToken);
        tx.Token(mine, Bonk, Wallet, 1_000, null, 5);
        tx.Token(theirs, Bonk, recipient, 7, 1_007, 5);

        WalletActivity activity = WalletActivityAnalyzer.Analyze(tx.Facts(source), Wallet)!;

        activity.Summary.Should().Be($"5i…QqQ2 sent 0.01 BONK to {Short(recipient)}");
        activity.TokenChanges.Should().Equal(new TokenChange(Bonk, WellKnownPrograms.SplToken, -1_000, 5, 0, AccountsClosed: 1));
        activity.SolChange.Should().Be((long)AtaRent - 5000);
        activity.SolTransferred.Should().Be(0);
    }

    [Theory]
    [MemberData(nameof(Sources))]
    public void A_failed_transaction_still_charges_the_fee_and_says_why_it_failed(TransactionSource source)
    {
        var tx = new TransactionBuilder
        {
            Error = ([8, 0, 0, 0, 1, 25, 0, 0, 0, 0x71, 0x17, 0, 0], """{"InstructionError":[1,{"Custom":6001}]}"""),
        };
        tx.Key(Wallet, 1 * Sol, (1 * Sol) - 5000);
        tx.Key(TransactionBuilder.NewKey(), 3 * Sol, 3 * Sol);
        tx.Unchanged(WellKnownPrograms.System);

        WalletActivity activity = WalletActivityAnalyzer.Analyze(tx.Facts(source), Wallet)!;

        activity.Succeeded.Should().BeFalse();
        activity.Error.Should().Be("instruction 1: custom program error 0x1771");
        activity.Summary.Should().Be("5i…QqQ2 failed: instruction 1: custom program error 0x1771");
        activity.SolChange.Should().Be(-5000);
        activity.PaidFee.Should().BeTrue();
    }

    [Theory]
    [MemberData(nameof(Sources))]
    public void A_swap_of_sol_for_usdc_through_a_wrapped_sol_account_and_loaded_addresses(TransactionSource source)
    {
        // v0 swap: the wallet wraps 1.5 SOL into a temporary wSOL account (created and closed within the transaction,
        // so it has no token balances), the pool's vaults come from a lookup table, and a referral account takes
        // a fee in USDC (same direction as the wallet: not a counterparty).
        Pubkey poolAuthority = TransactionBuilder.NewKey();
        Pubkey referrer = TransactionBuilder.NewKey();
        var tx = new TransactionBuilder();
        tx.Key(Wallet, 10 * Sol, (10 * Sol) - 1_500_000_000 - 5000);
        tx.Key(TransactionBuilder.NewKey(), 0, 0);
        int myUsdc = tx.Key(TransactionBuilder.NewKey(), AtaRent, AtaRent);
        tx.Unchanged(WellKnownPrograms.SplToken);
        int solVault = tx.LoadedWritable(TransactionBuilder.NewKey(), 1_000 * Sol, 1_001_500_000_000);
        int usdcVault = tx.LoadedWritable(TransactionBuilder.NewKey(), AtaRent, AtaRent);
        int referral = tx.LoadedWritable(TransactionBuilder.NewKey(), AtaRent, AtaRent);
        tx.LoadedReadonly(poolAuthority, 0);
        tx.LoadedReadonly(WellKnownPrograms.MeteoraDammV2);
        tx.Token(myUsdc, Usdc, Wallet, 10_000_000, 222_400_000, 6);
        tx.Token(solVault, WrappedSol, poolAuthority, (1_000 * Sol) - AtaRent, 1_001_500_000_000 - AtaRent, 9);
        tx.Token(usdcVault, Usdc, poolAuthority, 150_000_000_000, 150_000_000_000 - 212_500_000, 6);
        tx.Token(referral, Usdc, referrer, 0, 100_000, 6);

        TransactionFacts facts = tx.Facts(source);
        WalletActivity activity = WalletActivityAnalyzer.Analyze(facts, Wallet)!;

        facts.AccountKeys.Should().HaveCount(9);
        facts.AccountKeys[solVault].Should().NotBe(default(Pubkey));
        activity.Summary.Should().Be("5i…QqQ2 swapped 1.5 SOL for 212.4 USDC");
        activity.SolTransferred.Should().Be(-1_500_000_000);
        activity.TokenChanges.Should().Equal(new TokenChange(Usdc, WellKnownPrograms.SplToken, 212_400_000, 6, 0, 0));
        activity.Counterparties.Should().Equal(
            new Counterparty(poolAuthority, null, 1_500_000_000),
            new Counterparty(poolAuthority, Usdc, -212_500_000));
        WalletActivityAnalyzer.Analyze(facts, referrer)!.Summary.Should().Be($"{Short(referrer)} received 0.1 USDC from {Short(poolAuthority)}");
    }

    [Theory]
    [MemberData(nameof(Sources))]
    public void Wrapped_sol_held_in_a_token_account_counts_as_sol(TransactionSource source)
    {
        Pubkey sender = TransactionBuilder.NewKey();
        var tx = new TransactionBuilder();
        tx.Key(sender, 1 * Sol, (1 * Sol) - 5000);
        int theirs = tx.Key(TransactionBuilder.NewKey(), Sol, Sol - 250_000_000);
        int mine = tx.Key(TransactionBuilder.NewKey(), AtaRent, AtaRent + 250_000_000);
        tx.Unchanged(WellKnownPrograms.SplToken);
        tx.Token(theirs, WrappedSol, sender, Sol - AtaRent, Sol - AtaRent - 250_000_000, 9);
        tx.Token(mine, WrappedSol, Wallet, 0, 250_000_000, 9);

        WalletActivity activity = WalletActivityAnalyzer.Analyze(tx.Facts(source), Wallet)!;

        activity.Summary.Should().Be($"5i…QqQ2 received 0.25 SOL from {Short(sender)}");
        activity.TokenChanges.Should().Equal(new TokenChange(WrappedSol, WellKnownPrograms.SplToken, 250_000_000, 9, 0, 0));
    }

    [Theory]
    [MemberData(nameof(Sources))]
    public void Wrapping_sol_into_a_new_wrapped_sol_account_moves_no_sol(TransactionSource source)
    {
        var tx = new TransactionBuilder();
        tx.Key(Wallet, 10 * Sol, (10 * Sol) - (2 * Sol) - AtaRent - 5000);
        int mine = tx.Key(TransactionBuilder.NewKey(), 0, (2 * Sol) + AtaRent);
        tx.Unchanged(WellKnownPrograms.SplToken);
        tx.Token(mine, WrappedSol, Wallet, null, 2 * Sol, 9);

        WalletActivity activity = WalletActivityAnalyzer.Analyze(tx.Facts(source), Wallet)!;

        activity.Summary.Should().Be("5i…QqQ2 paid a fee of 0.000005 SOL");
        activity.SolTransferred.Should().Be(-2_000_000_000);
        activity.TokenChanges.Should().Equal(new TokenChange(WrappedSol, WellKnownPrograms.SplToken, 2 * Sol, 9, AccountsCreated: 1, AccountsClosed: 0));
    }

    [Theory]
    [MemberData(nameof(Sources))]
    public void Unwrapping_sol_by_closing_the_wrapped_sol_account_moves_no_sol(TransactionSource source)
    {
        var tx = new TransactionBuilder();
        tx.Key(Wallet, 10 * Sol, (10 * Sol) + (2 * Sol) + AtaRent - 5000);
        int mine = tx.Key(TransactionBuilder.NewKey(), (2 * Sol) + AtaRent, 0);
        tx.Unchanged(WellKnownPrograms.SplToken);
        tx.Token(mine, WrappedSol, Wallet, 2 * Sol, null, 9);

        WalletActivity activity = WalletActivityAnalyzer.Analyze(tx.Facts(source), Wallet)!;

        activity.Summary.Should().Be("5i…QqQ2 paid a fee of 0.000005 SOL");
        activity.SolTransferred.Should().Be(2_000_000_000);
    }

    [Theory]
    [MemberData(nameof(Sources))]
    public void Only_the_fee_moved(TransactionSource source)
    {
        var tx = new TransactionBuilder();
        tx.Key(Wallet, 1 * Sol, (1 * Sol) - 5000);
        tx.Unchanged(TransactionBuilder.NewKey());

        WalletActivityAnalyzer.Analyze(tx.Facts(source), Wallet)!.Summary.Should().Be("5i…QqQ2 paid a fee of 0.000005 SOL");
    }

    [Fact]
    public void Several_assets_moving_get_a_generic_summary()
    {
        Pubkey mint = TransactionBuilder.NewKey();
        var tx = new TransactionBuilder();
        tx.Key(Wallet, 1 * Sol, (1 * Sol) - 5000);
        int a = tx.Key(TransactionBuilder.NewKey(), AtaRent, AtaRent);
        int b = tx.Key(TransactionBuilder.NewKey(), AtaRent, AtaRent);
        int c = tx.Key(TransactionBuilder.NewKey(), AtaRent, AtaRent);
        tx.Token(a, Usdc, Wallet, 5, 0, 6);
        tx.Token(b, Bonk, Wallet, 5, 0, 5);
        tx.Token(c, mint, Wallet, 0, 5, 2);

        WalletActivityAnalyzer.Analyze(tx.Facts(TransactionSource.Rpc), Wallet)!.Summary.Should().Be("5i…QqQ2 had 3 token changes");
    }

    [Theory]
    [MemberData(nameof(Sources))]
    public void A_transaction_that_does_not_involve_the_wallet_gives_null(TransactionSource source)
    {
        Pubkey owner = TransactionBuilder.NewKey();
        var tx = new TransactionBuilder();
        tx.Key(TransactionBuilder.NewKey(), 1 * Sol, (1 * Sol) - 5000);
        int account = tx.Key(TransactionBuilder.NewKey(), AtaRent, AtaRent);
        tx.Token(account, Usdc, owner, 1, 2, 6);

        TransactionFacts facts = tx.Facts(source);

        WalletActivityAnalyzer.Analyze(facts, Wallet).Should().BeNull();
        WalletActivityAnalyzer.Analyze(facts, owner).Should().NotBeNull("owning a token account in the transaction involves a wallet");
    }

    [Fact]
    public void Token_amounts_are_scaled_exactly_up_to_u64_max()
    {
        Pubkey mint = TransactionBuilder.NewKey();
        var tx = new TransactionBuilder();
        tx.Key(Wallet, 1 * Sol, (1 * Sol) - 5000);
        int mine = tx.Key(TransactionBuilder.NewKey(), AtaRent, AtaRent);
        tx.Token(mine, mint, Wallet, 0, ulong.MaxValue, 9);

        WalletActivity activity = WalletActivityAnalyzer.Analyze(tx.Facts(TransactionSource.Yellowstone), Wallet)!;

        activity.TokenChanges.Single().Amount.Should().Be("18446744073.709551615");
        activity.Summary.Should().Be($"5i…QqQ2 received 18446744073.709551615 {Short(mint)}");
    }

    [Fact]
    public void Short_addresses_are_the_first_2_and_last_4_characters()
    {
        Wallet.ToShortString().Should().Be("5i…QqQ2");
        Pubkey.Parse("11111111111111111111111111111111").ToShortString().Should().Be("11…1111");
        KnownMints.Symbol(Usdc).Should().Be("USDC");
        KnownMints.Symbol(WrappedSol).Should().Be("wSOL");
    }

    private static string Short(Pubkey key)
    {
        string text = key.ToString();
        return text[..2] + "…" + text[^4..];
    }
}
