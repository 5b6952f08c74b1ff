using LeadPredict.Core;

namespace LeadPredict.Core.Tests;

public sealed class AtomicFileTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("atomic-tests").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void A_write_that_fails_halfway_leaves_the_old_file_and_no_temporary_file()
    {
        var path = Path.Combine(_dir, "model.zip");
        File.WriteAllText(path, "the good model");
        Assert.Throws<InvalidOperationException>(() => AtomicFile.Write(path, s =>
        {
            s.Write("half a mod"u8);
            throw new InvalidOperationException("crash");
        }));
        Assert.Equal("the good model", File.ReadAllText(path));
        Assert.Equal(["model.zip"], Directory.GetFiles(_dir).Select(Path.GetFileName));
    }

    [Fact]
    public void A_successful_write_replaces_the_file()
    {
        var path = Path.Combine(_dir, "out.csv");
        File.WriteAllText(path, "old");
        AtomicFile.WriteText(path, "new");
        Assert.Equal("new", File.ReadAllText(path));
    }
}
