using System.Reflection;
using System.Text;
using AccountGrains.Runtime.Messaging;
using AccountGrains.Runtime.Messaging.Wire;
using FluentAssertions.Equivalency;

namespace AccountGrains.Runtime.Tests.Messaging.Wire;

/// <summary>Realistic grain arguments and results for the wire tests, with the edge values the wire must keep.</summary>
internal static class WireSamples
{
    public const string Usdc = "EPjFWdd5AufqSSqeM2qN1xzybapC8G4wEGGkZwyTDt1v";
    public const string TokenProgram = "TokenkegQfeZyiNwAJbNbGKPFXCWuBvf9Ss623VQ5DA";
    public const string Signature = "5VERv8NMvzbJMEkV8xnrLkEaWRtSz9CosKDYjCJjBRnbJLgp8uirBgmQpjKhoR4tjF3ZpRzrFmBV6UjKdiSZkQUW";

    public static readonly GrainCallCodec Codec = new([typeof(IAccountGrain), typeof(IGeyserIngestGrain), typeof(IWalletGrain)]);

    public static readonly DateTimeOffset At = new(2025, 3, 14, 15, 9, 26, 535, TimeSpan.FromHours(2));

    public static byte[] TokenAccountData(int length = 165)
    {
        var data = new byte[length];
        new Random(length).NextBytes(data);
        return data;
    }

    public static AccountUpdate Update(byte[]? data = null, ulong slot = 312_000_000, string? signature = Signature) => new(
        Pubkey: Usdc,
        Owner: TokenProgram,
        Lamports: 2_039_280,
        Data: data ?? TokenAccountData(),
        Executable: false,
        RentEpoch: ulong.MaxValue,
        Slot: slot,
        WriteVersion: 1_207_934_110_492,
        TxnSignature: signature,
        ReceivedAt: At);

    public static AccountState State(byte[]? data = null, ulong lamports = 2_039_280, string? signature = Signature, DecodedAccount? decoded = null) => new(
        Pubkey: Usdc,
        Owner: TokenProgram,
        Lamports: lamports,
        Data: data ?? TokenAccountData(),
        Executable: true,
        RentEpoch: ulong.MaxValue,
        Slot: ulong.MaxValue - 1,
        WriteVersion: ulong.MaxValue,
        TxnSignature: signature,
        Decoded: decoded ?? Decoded(),
        CreatedAt: At);

    public const string Wallet = "9WzDXwBbmkg8ZTbNMqUxvQRAyrZzDsGYdLVL9zYtAWWM";

    public static WalletState WalletState() => new(
        Address: Wallet,
        Trackers: ["ws", "api:é ✓"],
        Lamports: ulong.MaxValue,
        BalanceSlot: ulong.MaxValue - 1,
        Holdings: [new TokenHolding("7xKXtg2CW87d97TXJSDpbD5jBkheTqA83TZRuJosgAsU", Usdc, TokenProgram, ulong.MaxValue, null, null, 312_000_000, ulong.MaxValue)],
        Sinks: [new NotificationSink(NotificationSink.Webhook, "https://hooks.example/w", Secret: null)],
        ActivityCount: long.MaxValue,
        LastActivitySlot: 312_000_001,
        TrackedSince: At,
        UpdatedAt: At.AddSeconds(1));

    public static WalletActivityEntry Activity() => new(
        Wallet: Wallet,
        Signature: Signature,
        Slot: 312_000_001,
        BlockTime: null,
        Succeeded: false,
        Error: "InstructionError: [0, Custom(1)]",
        Fee: 5_000,
        PaidFee: true,
        SolChange: long.MinValue,
        SolTransferred: -50_000_000_000,
        TokenChanges: [new WalletTokenChange(Usdc, TokenProgram, "-18446744073709551615", 6, "-18446744073709.551615", 0, 1)],
        Counterparties: [new WalletCounterparty("3KhPjWnrLCUHYfC6hDcJ9WcUw5mYyjmwBg2sDmYG8zVp", null, "50000000000")],
        Summary: "9W…AWWM sent 50 SOL to 3K…zVpQ",
        PostLamports: 0,
        PostHoldings: [],
        ReceivedAt: At);

    public static WalletChanged WalletChange(long sequence = long.MaxValue, bool withActivity = true) =>
        new(Wallet, sequence, WalletState(), withActivity ? Activity() : null);

    public static DecodedAccount Decoded() => new(
        "spl-token",
        "account",
        Encoding.UTF8.GetBytes("""{"mint":"EPjFWdd5AufqSSqeM2qN1xzybapC8G4wEGGkZwyTDt1v","amount":"18446744073709551615","state":"initialized","note":"é ✓ \u0000"}"""),
        null);

    public static DecodedAccount Undecodable() => new(DecodedAccount.UnknownType, DecodedAccount.UnknownType, [], "data is 7 bytes, 165 expected", "invalid_length");

    public static Interest ProgramInterest() => Interest.Program(
        TokenProgram, AccountFilter.OfDataSize(165), AccountFilter.Memcmp(32, "4Nd1mBQtrMJVYVfKf2PJy9NZUZdTAsp7D4xWLs4gDB4T"));

    public static IngestStatus Status() => new(
        "yellowstone https://grpc.example:443", Running: true, Completed: false, UpdatesRead: long.MaxValue, RecordsRejected: 3,
        LastSlot: ulong.MaxValue, LastError: null, Upstream: "connected", Reconnects: 2, Gaps: 1, InterestCount: int.MaxValue);

    public static IReadOnlyList<SubscriptionStatus> Subscriptions() =>
    [
        new("account:" + Usdc, "account", Usdc, SubscriptionStates.Active, 0, null),
        new("program:" + TokenProgram, "program", TokenProgram, SubscriptionStates.Failed, null, "over the connection budget"),
    ];

    public static MethodInfo Method<TGrain>(string name) => typeof(TGrain).GetMethod(name) ?? throw new ArgumentException(name);

    public static GrainMethod GrainMethodOf<TGrain>(string name) => GrainMethod.For(Method<TGrain>(name));

    /// <summary>
    /// Records compare <c>byte[]</c> by reference; the wire must keep their contents (compared as spans: element by
    /// element assertions take seconds on 10 MiB of account data, the largest a Solana account holds).
    /// </summary>
    public static EquivalencyAssertionOptions<T> ByMembers<T>(EquivalencyAssertionOptions<T> options) =>
        options.ComparingRecordsByMembers().RespectingRuntimeTypes()
            .Using<byte[]>(bytes => bytes.Subject.AsSpan().SequenceEqual(bytes.Expectation).Should().BeTrue("the bytes must survive the wire"))
            .WhenTypeIs<byte[]>();
}
