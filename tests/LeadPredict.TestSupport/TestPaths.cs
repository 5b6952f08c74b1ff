namespace LeadPredict.TestSupport;

/// <summary>Where things are, found from the test binary's location so tests run from any working directory.</summary>
public static class TestPaths
{
    public static string RepositoryRoot { get; } = FindRoot();

    public static string Data(string file) => Path.Combine(RepositoryRoot, "data", file);

    /// <summary>The real public lead datasets beside the repository (../shared/datasets); absent on a user's clone.</summary>
    public static string SharedDatasets { get; } = Path.GetFullPath(Path.Combine(RepositoryRoot, "..", "shared", "datasets"));

    public static string? SharedDataset(string relative)
    {
        var path = Path.Combine(SharedDatasets, relative);
        return File.Exists(path) ? path : null;
    }

    public static string SkipMessage(string relative) =>
        $"needs ../shared/datasets/{relative} beside the repository (not shipped with it: its licence allows evaluation only)";

    private static string FindRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "LeadPredict.sln"))) dir = dir.Parent;
        return dir?.FullName ?? throw new InvalidOperationException("cannot find LeadPredict.sln above " + AppContext.BaseDirectory);
    }
}

/// <summary>A temporary folder deleted when the test ends.</summary>
public sealed class TempDir : IDisposable
{
    public TempDir() => Directory.CreateDirectory(Path);

    public string Path { get; } = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "leadpredict-tests", Guid.NewGuid().ToString("N"));

    public string File(string name) => System.IO.Path.Combine(Path, name);

    public string Write(string name, string content)
    {
        var path = File(name);
        System.IO.File.WriteAllText(path, content);
        return path;
    }

    public void Dispose()
    {
        try { Directory.Delete(Path, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }
}
