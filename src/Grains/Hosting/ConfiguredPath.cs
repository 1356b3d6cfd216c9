namespace AccountGrains.Grains.Hosting;

/// <summary>
/// Resolves a file named in configuration: absolute as given; relative in the working directory, else beside the
/// executable (where the build copies samples and IDLs), so <c>dotnet run</c> from any folder finds shipped files.
/// </summary>
public static class ConfiguredPath
{
    public static string Resolve(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        if (Path.IsPathRooted(path) || File.Exists(path))
        {
            return Path.GetFullPath(path);
        }

        var besideExecutable = Path.Combine(AppContext.BaseDirectory, path);
        return File.Exists(besideExecutable) ? besideExecutable : Path.GetFullPath(path);
    }
}
