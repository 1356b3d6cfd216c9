using AccountGrains.Grains.Hosting;
using AccountGrains.Solana;
using AccountGrains.Solana.Decoding;
using AccountGrains.Solana.Decoding.Anchor;
using Microsoft.Extensions.Logging;

namespace AccountGrains.Grains.Decoding;

/// <summary>The decoder registry of a silo: the built-in decoders plus one decoder per configured Anchor IDL.</summary>
public static class DecoderRegistryFactory
{
    public static AccountDecoderRegistry Create(DecoderOptions options, IMintDecimalsLookup mints, ILogger logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        var registry = AccountDecoderRegistry.CreateDefault();
        foreach (var source in options.AnchorIdls)
        {
            var path = ConfiguredPath.Resolve(source.Path);
            var idl = AnchorIdl.Load(path);
            var programId = source.ProgramId is { } id ? Pubkey.Parse(id) : idl.Address;
            IAccountDecoder decoder = new AnchorIdlDecoder(idl, AnchorEnrichers.For(programId, mints), source.Name);
            if (decoder.ProgramId != programId)
            {
                decoder = new RedeployedProgramDecoder(decoder, programId);
            }

            registry.Register(decoder);
            DecodingLog.IdlLoaded(logger, decoder.ProgramName, programId.ToString(), path);
        }

        return registry;
    }
}

/// <summary>A program's decoder used for the same program deployed at another address.</summary>
internal sealed class RedeployedProgramDecoder(IAccountDecoder inner, Pubkey programId) : IAccountDecoder
{
    public Pubkey ProgramId => programId;

    public string ProgramName => inner.ProgramName;

    public string Decode(ReadOnlySpan<byte> data, System.Text.Json.Utf8JsonWriter writer) => inner.Decode(data, writer);
}

internal static partial class DecodingLog
{
    [LoggerMessage(2101, LogLevel.Information, "Decoding program {Program} ({ProgramId}) with the Anchor IDL {Path}")]
    public static partial void IdlLoaded(ILogger logger, string program, string programId, string path);
}
