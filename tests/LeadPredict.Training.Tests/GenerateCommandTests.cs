using LeadPredict.TestSupport;

namespace LeadPredict.Training.Tests;

public sealed class GenerateCommandTests
{
    [Fact]
    public void Generate_writes_the_requested_number_of_leads_deterministically()
    {
        using var dir = new TempDir();
        Assert.Equal(0, Cli.Train("generate", "--rows", "300", "--output", dir.File("a.csv")).ExitCode);
        Assert.Equal(0, Cli.Train("generate", "--rows", "300", "--output", dir.File("b.csv")).ExitCode);
        Assert.Equal(301, File.ReadAllLines(dir.File("a.csv")).Length);
        Assert.Equal(File.ReadAllBytes(dir.File("a.csv")), File.ReadAllBytes(dir.File("b.csv")));
    }

    [Fact]
    public void Generate_refuses_zero_rows()
    {
        using var dir = new TempDir();
        var result = Cli.Train("generate", "--rows", "0", "--output", dir.File("a.csv"));
        Assert.NotEqual(0, result.ExitCode);
        Assert.Contains("Rows", result.Error);
    }
}
