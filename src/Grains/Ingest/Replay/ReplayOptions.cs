using Microsoft.Extensions.Options;

namespace AccountGrains.Grains.Ingest.Replay;

/// <summary>The replay source, bound from <c>AccountGrains:Ingest:Replay</c>.</summary>
public sealed class ReplayOptions
{
    public const string SectionName = "AccountGrains:Ingest:Replay";
    public const string DefaultPath = "samples/sample.jsonl";

    /// <summary>
    /// The JSON Lines file (format in samples/README.md). A relative path is looked up in the working directory,
    /// then beside the executable (where the sample is copied).
    /// </summary>
    public string Path { get; set; } = DefaultPath;

    /// <summary>Updates per second; 0 replays as fast as the grains take them. Default 0.</summary>
    public double UpdatesPerSecond { get; set; }

    /// <summary>
    /// Replay again from the start when the file ends. Each pass shifts slots and write versions past the previous
    /// pass, so the repeated updates are newer and flow to subscribers instead of being dropped as stale.
    /// </summary>
    public bool Loop { get; set; }
}

public sealed class ReplayOptionsValidator : IValidateOptions<ReplayOptions>
{
    public ValidateOptionsResult Validate(string? name, ReplayOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = new List<string>();
        if (string.IsNullOrWhiteSpace(options.Path))
        {
            failures.Add($"{ReplayOptions.SectionName}:Path must name a replay file.");
        }

        if (options.UpdatesPerSecond < 0 || double.IsNaN(options.UpdatesPerSecond) || double.IsInfinity(options.UpdatesPerSecond))
        {
            failures.Add($"{ReplayOptions.SectionName}:UpdatesPerSecond must be 0 (as fast as possible) or a positive rate (got {options.UpdatesPerSecond}).");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
