using System.Text.Json;

using AccountGrains.Solana.Decoding;

namespace AccountGrains.Solana.Tests.TestSupport;

internal delegate string DecodeBody(ReadOnlySpan<byte> data, Utf8JsonWriter writer);

/// <summary>A decoder whose behaviour each test scripts, to drive the registry's failure handling.</summary>
internal sealed class FakeDecoder(Pubkey programId, string programName, DecodeBody body) : IAccountDecoder
{
    public Pubkey ProgramId { get; } = programId;

    public string ProgramName { get; } = programName;

    public string Decode(ReadOnlySpan<byte> data, Utf8JsonWriter writer)
    {
        return body(data, writer);
    }
}
