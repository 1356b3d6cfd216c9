using System.Globalization;

using AccountGrains.Grains.Ingest;
using AccountGrains.Grains.Ingest.Capture;
using AccountGrains.Runtime.Hosting;
using AccountGrains.Runtime.Storage;

using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace AccountGrains.Grains.Hosting;

/// <summary>
/// <c>capture --output FILE [--count N] [--duration SECONDS|HH:MM:SS] [--account KEY]... [--program ID]... [--wallet KEY]...</c>:
/// records the configured source (with the configured interest plus the given keys) into the replay format. Any
/// other <c>--Section:Key=value</c> argument is configuration, as for the hosts. Nothing is stored.
/// </summary>
public static class CaptureCommand
{
    public const string Name = "capture";

    public const string Usage =
        "usage: capture --output FILE [--count N] [--duration SECONDS|HH:MM:SS] [--account KEY]... [--program ID]... [--wallet KEY]... [--AccountGrains:Section:Key=value]...";

    /// <summary>Runs the command; returns the process exit code (0 done, 2 bad arguments or configuration).</summary>
    public static async Task<int> RunAsync(string[] args, TextWriter output, TextWriter errors, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(errors);
        if (!CaptureArguments.TryParse(args, out var parsed, out var problem))
        {
            await errors.WriteLineAsync($"capture: {problem}").ConfigureAwait(false);
            await errors.WriteLineAsync(Usage).ConfigureAwait(false);
            return 2;
        }

        var builder = Host.CreateApplicationBuilder(parsed.ConfigurationArgs);
        builder.Services.AddSingleton<IIngestStateStore>(new InMemoryIngestStateStore()); // a capture starts at the tip and keeps nothing
        builder.Services.AddAccountGrainsSilo(builder.Configuration).AddAccountGrains(builder.Configuration, startIngest: false);
        using var host = builder.Build();
        IAccountUpdateSource source;
        InterestSet interest;
        try
        {
            var ingest = host.Services.GetRequiredService<IOptions<IngestOptions>>().Value;
            source = host.Services.GetRequiredService<IAccountUpdateSource>();
            interest = host.Services.GetRequiredService<InterestSet>();
            foreach (var entry in ingest.Interest.ToInterests().Concat(parsed.Interest))
            {
                if (InterestRules.Validate(entry) is { } error)
                {
                    await errors.WriteLineAsync($"capture: {error}").ConfigureAwait(false);
                    return 2;
                }

                interest.Add(entry);
            }
        }
        catch (OptionsValidationException e)
        {
            await errors.WriteLineAsync($"capture: configuration is invalid: {string.Join(" ", e.Failures)}").ConfigureAwait(false);
            return 2;
        }

        if (source is ILiveSource && interest.Count == 0)
        {
            await errors.WriteLineAsync("capture: the interest set is empty: name --account, --program or --wallet (or configure AccountGrains:Ingest:Interest)").ConfigureAwait(false);
            return 2;
        }

        await output.WriteLineAsync($"capturing {source.Describe} ({interest.Count} interest entries) into {parsed.OutputPath}").ConfigureAwait(false);
        var file = new FileStream(parsed.OutputPath, FileMode.Create, FileAccess.Write, FileShare.Read, 1 << 16, useAsync: true);
        await using (file.ConfigureAwait(false))
        {
            var result = await ReplayCapture.RunAsync(source, file, parsed.MaxUpdates, parsed.Duration,
                rejected => errors.WriteLine($"rejected {rejected.Location}: {rejected.Reason}"), cancellationToken).ConfigureAwait(false);
            await output.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
                $"captured {result.Updates} updates ({result.Rejected} rejected) in {result.Elapsed.TotalSeconds:F1} s: {result.StoppedBecause}")).ConfigureAwait(false);
        }

        return 0;
    }
}

/// <summary>The parsed arguments of <see cref="CaptureCommand"/>.</summary>
public sealed record CaptureArguments(string OutputPath, long? MaxUpdates, TimeSpan? Duration, IReadOnlyList<Interest> Interest, string[] ConfigurationArgs)
{
    public static bool TryParse(string[] args, out CaptureArguments parsed, out string? problem)
    {
        ArgumentNullException.ThrowIfNull(args);
        parsed = null!;
        string? outputPath = null;
        long? count = null;
        TimeSpan? duration = null;
        var interest = new List<Interest>();
        var configuration = new List<string>();
        for (var i = 0; i < args.Length; i++)
        {
            var name = args[i];
            if (name is not ("--output" or "--count" or "--duration" or "--account" or "--program" or "--wallet"))
            {
                if (!name.StartsWith("--", StringComparison.Ordinal) || !name.Contains(':', StringComparison.Ordinal))
                {
                    problem = $"unknown argument '{name}'";
                    return false;
                }

                configuration.Add(name);
                continue;
            }

            if (i + 1 >= args.Length)
            {
                problem = $"{name} needs a value";
                return false;
            }

            var value = args[++i];
            switch (name)
            {
                case "--output":
                    outputPath = value;
                    break;
                case "--count" when long.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n > 0:
                    count = n;
                    break;
                case "--duration" when TryParseDuration(value, out var d):
                    duration = d;
                    break;
                case "--account":
                    interest.Add(AccountGrains.Interest.Account(value));
                    break;
                case "--program":
                    interest.Add(AccountGrains.Interest.Program(value));
                    break;
                case "--wallet":
                    interest.Add(AccountGrains.Interest.Wallet(value));
                    break;
                default:
                    problem = $"{name} '{value}' is not valid ({(name == "--count" ? "a positive whole number" : "seconds or HH:MM:SS, above zero")})";
                    return false;
            }
        }

        if (string.IsNullOrWhiteSpace(outputPath))
        {
            problem = "--output FILE is required";
            return false;
        }

        problem = null;
        parsed = new CaptureArguments(outputPath, count, duration, interest, [.. configuration]);
        return true;
    }

    private static bool TryParseDuration(string text, out TimeSpan duration)
    {
        if (double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var seconds) && seconds > 0 && seconds < TimeSpan.MaxValue.TotalSeconds)
        {
            duration = TimeSpan.FromSeconds(seconds);
            return true;
        }

        return TimeSpan.TryParse(text, CultureInfo.InvariantCulture, out duration) && duration > TimeSpan.Zero;
    }
}
