using AccountGrains.Runtime.Messaging;
using AccountGrains.Runtime.Messaging.Wire;
using AccountGrains.Solana;
using AccountGrains.Solana.Decoding;
using BenchmarkDotNet.Attributes;

namespace AccountGrains.Bench.Micro;

/// <summary>
/// The cluster wire format on the hot path: an ingest's one-way <c>ApplyAsync(AccountUpdate)</c> call with a 165-byte
/// token account, and the <c>AccountChanged</c> event the grain publishes for it.
/// </summary>
[MemoryDiagnoser]
public class WireBenchmarks
{
    private readonly GrainCallCodec _codec = new([typeof(IAccountGrain), typeof(IGeyserIngestGrain)]);
    private readonly GrainMethod _apply = GrainMethod.For(typeof(IAccountGrain).GetMethod(nameof(IAccountGrain.ApplyAsync))!);
    private GrainId _target;
    private AccountUpdate _update = null!;
    private AccountChanged _change = null!;
    private byte[] _call = [];
    private byte[] _event = [];

    [GlobalSetup]
    public void Setup()
    {
        var random = new Random(7);
        var pubkey = Samples.NewPubkey(random);
        var data = Samples.TokenAccount(random, amount: 123_456_789);
        var owner = WellKnownPrograms.SplToken.ToString();
        _target = new GrainId("account", pubkey);
        _update = new AccountUpdate(pubkey, owner, 2_039_280, data, false, ulong.MaxValue, 312_000_000, 1_207_934_110_492,
            "5VERv8NMvzbJMEkV8xnrLkEaWRtSz9CosKDYjCJjBRnbJLgp8uirBgmQpjKhoR4tjF3ZpRzrFmBV6UjKdiSZkQUW", DateTimeOffset.UtcNow);
        var decoded = AccountDecoderRegistry.CreateDefault().Decode(WellKnownPrograms.SplToken, data);
        _change = new AccountChanged(new AccountState(pubkey, owner, 2_039_280, data, false, ulong.MaxValue, 312_000_000, 1_207_934_110_492, null,
            new DecodedAccount(decoded.Program, decoded.AccountType, decoded.FieldsJson, decoded.Error), DateTimeOffset.UtcNow));
        _call = _codec.Encode(_target, _apply, [_update], oneWay: true);
        _event = StreamEventCodec.Encode(_change);
        Console.WriteLine($"// payload sizes: ApplyAsync call {_call.Length} bytes, AccountChanged event {_event.Length} bytes");
    }

    [Benchmark]
    public byte[] Wire_encode_apply_call() => _codec.Encode(_target, _apply, [_update], oneWay: true);

    [Benchmark]
    public GrainCall Wire_decode_apply_call() => _codec.Decode(_call);

    [Benchmark]
    public GrainCall Wire_round_trip_apply_call() => _codec.Decode(_codec.Encode(_target, _apply, [_update], oneWay: true));

    [Benchmark]
    public byte[] Wire_encode_account_changed() => StreamEventCodec.Encode(_change);

    [Benchmark]
    public AccountChanged Wire_decode_account_changed() => StreamEventCodec.Decode(_event);

    [Benchmark]
    public AccountChanged Wire_round_trip_account_changed() => StreamEventCodec.Decode(StreamEventCodec.Encode(_change));
}
