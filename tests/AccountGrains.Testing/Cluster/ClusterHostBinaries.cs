using System.Reflection;

namespace AccountGrains.Testing.Cluster;

/// <summary>The two kinds of process a test cluster runs.</summary>
public enum ClusterHostKind
{
    /// <summary><c>src/Silo</c>: grains, partitions, the ingest; no HTTP.</summary>
    Silo,

    /// <summary><c>src/Gateway</c>: WebSocket and HTTP; hosts no grains in cluster mode.</summary>
    Gateway,
}

/// <summary>
/// Finds <c>AccountGrains.Silo.dll</c> and <c>AccountGrains.Gateway.dll</c> in their own build output
/// (<c>src/&lt;Host&gt;/bin/&lt;Configuration&gt;/&lt;tfm&gt;/</c>, the configuration this assembly was built with), each
/// beside its own <c>.runtimeconfig.json</c> and <c>.deps.json</c>, so <c>dotnet &lt;dll&gt;</c> runs it exactly as a
/// deployment would. A test project's output is no place for them: the two hosts' <c>appsettings.json</c> would
/// overwrite each other there.
/// </summary>
public static class ClusterHostBinaries
{
    /// <summary>The configuration (Debug, Release) this assembly, and so the test run, was built with.</summary>
    public static string Configuration => Metadata("AccountGrains.Configuration") ?? "Debug";

    public static string TargetFramework => Metadata("AccountGrains.TargetFramework") ?? "net10.0";

    /// <summary>The host's entry assembly; throws with the build command to run when it is missing.</summary>
    public static string AssemblyPath(ClusterHostKind kind)
    {
        var project = kind == ClusterHostKind.Silo ? "Silo" : "Gateway";
        var directory = Path.Combine(RepositoryRoot.Find(), "src", project, "bin", Configuration, TargetFramework);
        var assembly = Path.Combine(directory, $"AccountGrains.{project}.dll");
        foreach (var required in new[] { assembly, Path.ChangeExtension(assembly, ".runtimeconfig.json"), Path.ChangeExtension(assembly, ".deps.json") })
        {
            if (!File.Exists(required))
            {
                throw new FileNotFoundException(
                    $"{required} is missing: build the host first (dotnet build src/{project} -c {Configuration}); the test project references it so a build of the tests builds it too.",
                    required);
            }
        }

        return assembly;
    }

    /// <summary>
    /// The <c>dotnet</c> executable running this process when there is one (the SDK sets <c>DOTNET_HOST_PATH</c> for
    /// test hosts), else <c>dotnet</c> on the PATH.
    /// </summary>
    public static string DotnetHost()
    {
        if (Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host && File.Exists(host))
        {
            return host;
        }

        var current = Environment.ProcessPath;
        return current is not null && Path.GetFileNameWithoutExtension(current) == "dotnet" ? current : "dotnet";
    }

    private static string? Metadata(string key) =>
        typeof(ClusterHostBinaries).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().FirstOrDefault(a => a.Key == key)?.Value;
}
