using System.Text;
using AccountGrains.Grains.Decoding;
using AccountGrains.Grains.Ingest.Replay;
using AccountGrains.Solana;
using AccountGrains.Solana.Decoding;
using BenchmarkDotNet.Attributes;
using Microsoft.Extensions.Logging.Abstractions;

namespace AccountGrains.Bench.Micro;

/// <summary>
/// Decode throughput per account type, on real account bytes from the sample replay, through the same registry a
/// silo builds (built-in decoders plus the shipped DAMM v2 IDL, with the pools' mints known).
/// </summary>
[MemoryDiagnoser]
public class DecodeBenchmarks
{
    private static readonly Dictionary<string, (string Pubkey, string Note)> Accounts = new()
    {
        ["system_account"] = ("BgYfh9M5761YTti6xCtnfJd7V8xUXxck2nAGD9fbcLuh", "wallet"),
        ["spl_mint"] = ("EPjFWdd5AufqSSqeM2qN1xzybapC8G4wEGGkZwyTDt1v", "USDC mint"),
        ["spl_token_account"] = ("Eaqh1TRdCPt9Jr8QhYR7Vca2hnscDPHUMzvqax1THvNq", "token account"),
        ["token2022_mint_6_ext"] = ("2b1kV6DkPAnxd5ixfnxCpjxmKwqjjaYmCZfHsFu24GXo", "PYUSD-like mint, 697 bytes"),
        ["damm_v2_pool"] = ("CjWKjVvRCLEzrPDnVTsymobbr1x9hHr9pNiWi4DVzHqS", "SOL/USDC pool with derived values"),
        ["damm_v2_config"] = ("9RuAyDH81GB9dhks6MzHva2objQJxHvqRRfyKKdfmkxk", "config"),
    };

    private AccountDecoderRegistry _registry = null!;
    private Pubkey _owner;
    private byte[] _data = [];

    [Params("system_account", "spl_mint", "spl_token_account", "token2022_mint_6_ext", "damm_v2_pool", "damm_v2_config")]
    public string AccountType { get; set; } = string.Empty;

    [GlobalSetup]
    public void Setup()
    {
        var root = RepositoryRoot();
        var mints = new MintDecimalsCache();
        var lines = File.ReadLines(Path.Combine(root, "samples", "replay", "sample.jsonl"))
            .Select(l => ReplayLineParser.TryParse(Encoding.UTF8.GetBytes(l), DateTimeOffset.UnixEpoch, out var u, out _) ? u! : null)
            .OfType<AccountUpdate>()
            .ToList();
        foreach (var update in lines)
        {
            mints.TryRecord(Pubkey.Parse(update.Pubkey), Pubkey.Parse(update.Owner), update.Data);
        }

        _registry = DecoderRegistryFactory.Create(
            new DecoderOptions { AnchorIdls = [new AnchorIdlSource { Path = Path.Combine(root, "idls", "meteora-damm-v2.json") }] },
            mints,
            NullLogger.Instance);
        var pubkey = Accounts[AccountType].Pubkey;
        var last = lines.Last(u => u.Pubkey == pubkey);
        _owner = Pubkey.Parse(last.Owner);
        _data = last.Data;
        var check = _registry.Decode(_owner, _data);
        if (!check.IsDecoded)
        {
            throw new InvalidOperationException($"{AccountType} did not decode: {check.Error}");
        }
    }

    [Benchmark]
    public DecodedAccountData Decode() => _registry.Decode(_owner, _data);

    private static string RepositoryRoot()
    {
        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "AccountGrains.sln")))
        {
            directory = directory.Parent;
        }

        return directory?.FullName ?? throw new InvalidOperationException("run the benchmark from inside the repository");
    }
}
