using System.Diagnostics;
using System.Text.Json;
using System.Text.Json.Nodes;

using AccountGrains.Solana.Tests.TestSupport;
using AccountGrains.Testing.FakeRpc;

namespace AccountGrains.Solana.Tests.Rpc;

/// <summary>
/// Proves FakeSolanaRpcServer answers like a real node: @solana/web3.js (which validates every reply's shape with
/// superstruct) reads from it over HTTP and websocket through node-rpc/web3-check.mjs, and what it reads must be what
/// the test set.
/// </summary>
public sealed class Web3WireCompatibilityTests
{
    private const string NpmHint = "run npm ci in tests/AccountGrains.Solana.Tests/node-rpc (./test.sh does this)";

    [Fact]
    public async Task Web3js_reads_the_fake_nodes_accounts_slots_signatures_and_notifications()
    {
        await using FakeSolanaRpcServer server = await FakeSolanaRpcServer.StartAsync();
        string program = Keys.New();
        string account = Keys.New();
        string other = Keys.New();
        string missing = Keys.New();
        string marker = Keys.New();
        byte[] data = [.. Pubkey.Parse(marker).ToArray(), 1, 2, 3, 4];
        server.Slot = 345_678_901;
        server.SetAccount(account, new FakeAccount(program, 2_039_280, data, RentEpoch: ulong.MaxValue));
        server.SetAccount(other, new FakeAccount(program, 5, [.. Pubkey.Parse(Keys.New()).ToArray(), 1, 2, 3, 4]));
        string signature = Keys.Signature();
        server.SetSignatures(account, [new FakeSignature(signature, 345_678_900, """{"InstructionError":[0,{"Custom":6001}]}""", "memo text", 1_700_000_000)]);

        string folder = Path.Combine(RepositoryRoot.Find(), "tests", "AccountGrains.Solana.Tests", "node-rpc");
        string arguments = JsonSerializer.Serialize(new { account, missing, program, dataSize = data.Length, memcmp = marker });
        Task<IReadOnlyList<string>> run = NodeScript.RunAsync(
            folder, ["@solana/web3.js"], NpmHint, ["web3-check.mjs", server.HttpAddress.ToString(), server.WebSocketAddress.ToString(), arguments]);

        var watch = Stopwatch.StartNew();
        while (server.AllSubscriptions().Count < 3)
        {
            if (run.IsCompleted)
            {
                await run; // fails the test with node's output
                Assert.Fail("the node script ended before subscribing");
            }

            watch.Elapsed.Should().BeLessThan(TimeSpan.FromSeconds(60), "web3.js should subscribe within a minute");
            await Task.Delay(20);
        }

        server.AllSubscriptions().Select(s => s.Method).Should().BeEquivalentTo("accountSubscribe", "programSubscribe", "logsSubscribe");
        byte[] newData = [.. Pubkey.Parse(marker).ToArray(), 9, 9, 9, 9];
        server.Slot = 345_678_905;
        server.SetAccount(account, new FakeAccount(program, 3_000_000, newData, RentEpoch: 0));
        server.PushLogs(signature, null, ["Program 11111111111111111111111111111111 invoke [1]", "Program 11111111111111111111111111111111 success"], account);

        var results = (await run).Select(line => JsonNode.Parse(line)!.AsObject()).ToDictionary(o => o["name"]!.GetValue<string>(), o => o["value"]);

        AssertAccount(results["getAccountInfo"], program, 2_039_280, data, rentEpochIsMax: true);
        results["getAccountInfoMissing"].Should().BeNull();
        JsonArray multiple = results["getMultipleAccountsInfo"]!.AsArray();
        AssertAccount(multiple[0], program, 2_039_280, data, rentEpochIsMax: true);
        multiple[1].Should().BeNull();
        JsonArray programAccounts = results["getProgramAccounts"]!.AsArray();
        programAccounts.Should().ContainSingle();
        programAccounts[0]!["pubkey"]!.GetValue<string>().Should().Be(account);
        results["getBalance"]!.GetValue<long>().Should().Be(2_039_280);
        results["getSlot"]!.GetValue<long>().Should().Be(345_678_901);
        JsonNode entry = results["getSignaturesForAddress"]!.AsArray().Single()!;
        entry["signature"]!.GetValue<string>().Should().Be(signature);
        entry["slot"]!.GetValue<long>().Should().Be(345_678_900);
        entry["memo"]!.GetValue<string>().Should().Be("memo text");
        entry["blockTime"]!.GetValue<long>().Should().Be(1_700_000_000);
        entry["err"]!.ToJsonString().Should().Be("""{"InstructionError":[0,{"Custom":6001}]}""");

        JsonNode notifications = results["notifications"]!;
        notifications["account"]!["slot"]!.GetValue<long>().Should().Be(345_678_905);
        AssertAccount(notifications["account"]!["account"], program, 3_000_000, newData, rentEpochIsMax: false);
        notifications["program"]!["pubkey"]!.GetValue<string>().Should().Be(account);
        AssertAccount(notifications["program"]!["account"], program, 3_000_000, newData, rentEpochIsMax: false);
        notifications["logs"]!["signature"]!.GetValue<string>().Should().Be(signature);
        notifications["logs"]!["err"].Should().BeNull();
        notifications["logs"]!["logs"]!.AsArray().Select(l => l!.GetValue<string>()).Should().HaveCount(2);
    }

    private static void AssertAccount(JsonNode? node, string owner, long lamports, byte[] data, bool rentEpochIsMax)
    {
        node.Should().NotBeNull();
        node!["owner"]!.GetValue<string>().Should().Be(owner);
        node["lamports"]!.GetValue<long>().Should().Be(lamports);
        Convert.FromBase64String(node["data"]!.GetValue<string>()).Should().Equal(data);
        node["executable"]!.GetValue<bool>().Should().BeFalse();
        // JavaScript numbers are doubles: u64::MAX arrives as 2^64.
        node["rentEpoch"]!.GetValue<double>().Should().Be(rentEpochIsMax ? 18446744073709551616d : 0d);
    }
}
