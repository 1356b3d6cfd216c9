namespace AccountGrains.Testing;

public static class RepositoryRoot
{
    /// <summary>The folder holding AccountGrains.sln, found by walking up from the test assembly.</summary>
    public static string Find()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "AccountGrains.sln")))
            {
                return directory.FullName;
            }
        }

        throw new InvalidOperationException(
            $"no folder above {AppContext.BaseDirectory} contains AccountGrains.sln; run the tests from inside the repository");
    }
}
