using System.Text;
using AccountGrains.Gateway.Native;
using AccountGrains.Grains.Ingest.Replay;
using AccountGrains.Runtime.Partitioning;
using AccountGrains.Solana;
using AccountGrains.Solana.Decoding;
using BenchmarkDotNet.Attributes;

namespace AccountGrains.Bench.Micro;

/// <summary>The per-update work outside the grains: parse, hash, decode, serialise, queue.</summary>
[MemoryDiagnoser]
public class HotPathBenchmarks
{
    private readonly AccountDecoderRegistry _registry = AccountDecoderRegistry.CreateDefault();
    private byte[] _tokenAccount = [];
    private byte[] _mint = [];
    private byte[] _pubkeyBytes = [];
    private string _pubkey = string.Empty;
    private byte[] _replayLine = [];
    private AccountState _state = null!;
    private ConflatingSendQueue _queue = null!;
    private byte[] _message = [];

    [GlobalSetup]
    public void Setup()
    {
        var random = new Random(7);
        _pubkeyBytes = new byte[32];
        random.NextBytes(_pubkeyBytes);
        _pubkey = Base58.Encode(_pubkeyBytes);
        _tokenAccount = Samples.TokenAccount(random, amount: 123_456_789);
        _mint = Samples.Mint(random);
        _replayLine = Encoding.UTF8.GetBytes(Samples.ReplayLine(_pubkey, WellKnownPrograms.SplToken.ToString(), _tokenAccount, 312_000_000, 1_207_934_110_492));
        var decoded = _registry.Decode(WellKnownPrograms.SplToken, _tokenAccount);
        _state = new AccountState(_pubkey, WellKnownPrograms.SplToken.ToString(), 2_039_280, _tokenAccount, false, ulong.MaxValue, 312_000_000, 1, null,
            new DecodedAccount(decoded.Program, decoded.AccountType, decoded.FieldsJson, decoded.Error), DateTimeOffset.UtcNow);
        _queue = new ConflatingSendQueue(1 << 20);
        _message = NativeMessages.Account(_pubkey, _state, SnapshotSource.Realtime);
    }

    [Benchmark]
    public string Base58_encode_pubkey() => Base58.Encode(_pubkeyBytes);

    [Benchmark]
    public Pubkey Pubkey_parse() => Pubkey.Parse(_pubkey);

    [Benchmark]
    public int Partition_of_key() => PartitionHash.PartitionOf(_pubkey, 64);

    [Benchmark]
    public DecodedAccountData Decode_token_account() => _registry.Decode(WellKnownPrograms.SplToken, _tokenAccount);

    [Benchmark]
    public DecodedAccountData Decode_mint() => _registry.Decode(WellKnownPrograms.SplToken, _mint);

    [Benchmark]
    public bool Parse_replay_line() => ReplayLineParser.TryParse(_replayLine, DateTimeOffset.UnixEpoch, out _, out _);

    [Benchmark]
    public byte[] Serialise_realtime_message() => NativeMessages.Account(_pubkey, _state, SnapshotSource.Realtime);

    [Benchmark]
    public bool Conflating_enqueue_of_a_waiting_key() => _queue.TryEnqueueLatest(_pubkey, _message);
}
