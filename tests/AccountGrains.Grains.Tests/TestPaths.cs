namespace AccountGrains.Grains.Tests;

/// <summary>Files of the repository the tests read: the sample replay and the shipped IDLs.</summary>
internal static class TestPaths
{
    public static string RepositoryRoot { get; } = FindRoot();

    public static string DammIdl => Path.Combine(RepositoryRoot, "idls", "meteora-damm-v2.json");

    public static string SampleReplay => Path.Combine(RepositoryRoot, "samples", "replay", "sample.jsonl");

    private static string FindRoot()
    {
        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "AccountGrains.sln")))
        {
            directory = directory.Parent;
        }

        return directory?.FullName ?? throw new InvalidOperationException("AccountGrains.sln not found above the test assembly");
    }
}
