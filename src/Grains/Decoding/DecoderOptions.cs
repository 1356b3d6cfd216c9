using AccountGrains.Grains.Hosting;
using AccountGrains.Solana;
using AccountGrains.Solana.Decoding.Anchor;
using Microsoft.Extensions.Options;

namespace AccountGrains.Grains.Decoding;

/// <summary>Which programs beyond the built-in ones are decoded, bound from <c>AccountGrains:Decoders</c>.</summary>
public sealed class DecoderOptions
{
    public const string SectionName = "AccountGrains:Decoders";

    /// <summary>
    /// Anchor IDLs (0.30+ format) to decode programs with, no code needed. The embedded default ships Meteora DAMM v2
    /// (<c>idls/meteora-damm-v2.json</c>).
    /// </summary>
    public List<AnchorIdlSource> AnchorIdls { get; set; } = [];
}

/// <summary>One Anchor IDL file and, optionally, the program id it is deployed at (default: the IDL's <c>address</c>).</summary>
public sealed class AnchorIdlSource
{
    public string Path { get; set; } = string.Empty;

    /// <summary>Decode accounts of this program id instead of the IDL's own address (a redeployed program).</summary>
    public string? ProgramId { get; set; }

    /// <summary>The program name clients see; default the IDL's <c>metadata.name</c>.</summary>
    public string? Name { get; set; }
}

/// <summary>Loads every configured IDL at start-up so a wrong path or a broken IDL stops the process with its setting named.</summary>
public sealed class DecoderOptionsValidator : IValidateOptions<DecoderOptions>
{
    public ValidateOptionsResult Validate(string? name, DecoderOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = new List<string>();
        for (var i = 0; i < options.AnchorIdls.Count; i++)
        {
            var source = options.AnchorIdls[i];
            var setting = $"{DecoderOptions.SectionName}:AnchorIdls:{i}";
            if (string.IsNullOrWhiteSpace(source.Path))
            {
                failures.Add($"{setting}:Path must name an Anchor IDL JSON file.");
                continue;
            }

            Pubkey? programId = null;
            if (source.ProgramId is { } id)
            {
                if (!Pubkey.TryParse(id, out var parsed, out var keyError))
                {
                    failures.Add($"{setting}:ProgramId: {keyError}");
                    continue;
                }

                programId = parsed;
            }

            var path = ConfiguredPath.Resolve(source.Path);
            try
            {
                // Build the decoder too: an IDL that loads but lacks what its program's enricher reads fails here.
                var idl = AnchorIdl.Load(path);
                _ = new AnchorIdlDecoder(idl, AnchorEnrichers.For(programId ?? idl.Address, mints: null), source.Name);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException or InvalidOperationException or System.Text.Json.JsonException)
            {
                failures.Add($"{setting}:Path '{path}' could not be loaded: {e.Message}");
            }
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
