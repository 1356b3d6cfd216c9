using System.Text.Json.Nodes;
using AccountGrains.Solana.Rpc;
using AccountGrains.Solana.Tests.Rpc;
using AccountGrains.Solana.Tests.TestSupport;
using AccountGrains.Solana.Transactions;
using AccountGrains.Testing.FakeRpc;

namespace AccountGrains.Solana.Tests.Transactions;

/// <summary>
/// A v0 swap served by FakeSolanaRpcServer, read two ways: by SolanaRpcClient.GetTransactionAsync into
/// TransactionFacts and WalletActivity, and by @solana/web3.js (an independent client that validates the reply's
/// shape). Both must agree on the keys in balance-index order and on every balance.
/// </summary>
public sealed class WalletActivityOverRpcTests
{
    private const string NpmHint = "run npm ci in tests/AccountGrains.Solana.Tests/node-rpc (./test.sh does this)";
    private const ulong Sol = 1_000_000_000;
    private const ulong Rent = 2_039_280;

    [Fact]
    public async Task A_swap_read_through_getTransaction_matches_what_web3js_reads()
    {
        await using FakeSolanaRpcServer server = await FakeSolanaRpcServer.StartAsync();
        string wallet = Keys.New();
        string myUsdc = Keys.New();
        string solVault = Keys.New();
        string usdcVault = Keys.New();
        string pool = Keys.New();
        string signature = Keys.Signature();
        string usdc = "EPjFWdd5AufqSSqeM2qN1xzybapC8G4wEGGkZwyTDt1v";
        string wsol = "So11111111111111111111111111111111111111112";
        string token = WellKnownPrograms.SplToken.ToString();
        server.SetTransaction(new FakeTransaction(
            Slot: 345_678_900,
            Signatures: [signature],
            StaticAccountKeys: [wallet, myUsdc, token],
            Fee: 7_500,
            BlockTime: 1_700_000_000,
            LoadedWritable: [solVault, usdcVault],
            LoadedReadonly: [pool],
            PreBalances: [10 * Sol, Rent, 1, 1_000 * Sol, Rent, 0],
            PostBalances: [(10 * Sol) - 1_500_000_000 - 7_500, Rent, 1, 1_001_500_000_000, Rent, 0],
            PreTokenBalances:
            [
                new FakeTokenBalance(1, usdc, wallet, token, "10000000", 6),
                new FakeTokenBalance(3, wsol, pool, token, (1_000 * Sol - Rent).ToString(System.Globalization.CultureInfo.InvariantCulture), 9),
                new FakeTokenBalance(4, usdc, pool, token, "150000000000", 6),
            ],
            PostTokenBalances:
            [
                new FakeTokenBalance(1, usdc, wallet, token, "222400000", 6),
                new FakeTokenBalance(3, wsol, pool, token, (1_001_500_000_000 - Rent).ToString(System.Globalization.CultureInfo.InvariantCulture), 9),
                new FakeTokenBalance(4, usdc, pool, token, "149787600000", 6),
            ],
            LogMessages: ["Program log: Instruction: Swap"]));
        using var client = new SolanaRpcClient(server.HttpAddress);

        RpcTransaction? transaction = await client.GetTransactionAsync(signature).OrHang();
        TransactionFacts facts = TransactionFacts.FromRpc(transaction!);
        WalletActivity activity = WalletActivityAnalyzer.Analyze(facts, Pubkey.Parse(wallet))!;

        activity.Summary.Should().EndWith("swapped 1.5 SOL for 212.4 USDC");
        activity.Fee.Should().Be(7_500);
        activity.BlockTime.Should().Be(1_700_000_000);
        activity.Counterparties.Select(c => c.Address.ToString()).Should().Equal(pool, pool);

        string folder = Path.Combine(RepositoryRoot.Find(), "tests", "AccountGrains.Solana.Tests", "node-rpc");
        IReadOnlyList<string> lines = await NodeScript.RunAsync(
            folder, ["@solana/web3.js"], NpmHint, ["web3-transaction.mjs", server.HttpAddress.ToString(), signature]);
        JsonObject web3 = JsonNode.Parse(lines.Single())!.AsObject();

        web3["signature"]!.GetValue<string>().Should().Be(facts.Signature);
        web3["slot"]!.GetValue<ulong>().Should().Be(facts.Slot);
        web3["blockTime"]!.GetValue<long>().Should().Be(facts.BlockTime);
        web3["version"]!.GetValue<int>().Should().Be(0);
        web3["fee"]!.GetValue<ulong>().Should().Be(facts.Fee);
        web3["err"].Should().BeNull();
        web3["keys"]!.AsArray().Select(k => k!.GetValue<string>()).Should().Equal(facts.AccountKeys.Select(k => k.ToString()));
        web3["preBalances"]!.AsArray().Select(b => b!.GetValue<ulong>()).Should().Equal(facts.PreBalances);
        web3["postBalances"]!.AsArray().Select(b => b!.GetValue<ulong>()).Should().Equal(facts.PostBalances);
        Tokens(web3["preTokenBalances"]!).Should().Equal(facts.PreTokenBalances);
        Tokens(web3["postTokenBalances"]!).Should().Equal(facts.PostTokenBalances);
    }

    private static List<TokenBalanceFact> Tokens(JsonNode balances)
    {
        return balances.AsArray().Select(b => new TokenBalanceFact(
            b!["accountIndex"]!.GetValue<int>(),
            Pubkey.Parse(b["mint"]!.GetValue<string>()),
            Pubkey.Parse(b["owner"]!.GetValue<string>()),
            Pubkey.Parse(b["programId"]!.GetValue<string>()),
            ulong.Parse(b["amount"]!.GetValue<string>(), System.Globalization.CultureInfo.InvariantCulture),
            (byte)b["decimals"]!.GetValue<int>())).ToList();
    }
}
