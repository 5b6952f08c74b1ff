using System.Diagnostics;

namespace LeadPredict.Core.Tests;

public sealed class OutputGuardTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("output-guard").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string File(string name, string content = "id,x\n1,2\n")
    {
        var path = Path.Combine(_dir, name);
        System.IO.File.WriteAllText(path, content);
        return path;
    }

    private static LeadPredictException Refused(string output, string input, bool refuseZip = false) =>
        Assert.Throws<LeadPredictException>(() => OutputGuard.Check([new FileRole("--output", output)], [new FileRole("--input", input)], refuseZip));

    [Fact]
    public void An_output_with_the_input_path_is_refused_naming_both()
    {
        var input = File("leads.csv");
        var e = Refused(input, input);
        Assert.Equal(ProblemKind.BadInput, e.Kind);
        Assert.Contains("--output", e.Message);
        Assert.Contains("--input", e.Message);
        Assert.Contains("leads.csv", e.Message);
        Assert.Contains("nothing was done", e.Message);
    }

    [Fact]
    public void An_output_spelt_differently_but_resolving_to_the_input_is_refused()
    {
        var input = File("leads.csv");
        Refused(Path.Combine(_dir, "sub", "..", "leads.csv"), input);
    }

    [Fact]
    public void An_output_that_is_a_symbolic_link_to_the_input_is_refused()
    {
        var input = File("leads.csv");
        var link = Path.Combine(_dir, "ranked.csv");
        System.IO.File.CreateSymbolicLink(link, input);
        Assert.Contains("symbolic link", Refused(link, input).Message);
    }

    [Fact]
    public void An_output_in_a_folder_linked_to_the_inputs_folder_is_refused()
    {
        var input = File("leads.csv");
        var folder = Path.Combine(_dir, "elsewhere");
        Directory.CreateSymbolicLink(folder, _dir);
        Refused(Path.Combine(folder, "leads.csv"), input);
    }

    [SkippableFact]
    public void An_output_that_is_a_hard_link_to_the_input_is_refused()
    {
        Skip.IfNot(OperatingSystem.IsLinux(), "hard links are made with ln here");
        var input = File("leads.csv");
        var link = Path.Combine(_dir, "copy.csv");
        using (var ln = Process.Start("ln", [input, link])) ln.WaitForExit();
        Assert.Contains("hard link", Refused(link, input).Message);
    }

    [Fact]
    public void An_existing_folder_as_output_is_refused()
    {
        var input = File("leads.csv");
        var folder = Directory.CreateDirectory(Path.Combine(_dir, "out")).FullName;
        Assert.Contains("folder", Refused(folder, input).Message);
    }

    [Fact]
    public void A_text_output_over_a_zip_is_refused_only_when_asked()
    {
        var input = File("leads.csv");
        var zip = File("old-model.zip", "PK\u0003\u0004rest of a zip");
        Assert.Contains("zip", Refused(zip, input, refuseZip: true).Message);
        OutputGuard.Check([new FileRole("--model", zip)], [new FileRole("--data", input)]);
    }

    [Fact]
    public void A_different_file_with_the_same_content_is_accepted()
    {
        var input = File("leads.csv");
        var other = File("ranked.csv");
        OutputGuard.Check([new FileRole("--output", other)], [new FileRole("--input", input), null]);
        OutputGuard.Check([new FileRole("--output", Path.Combine(_dir, "new", "ranked.csv"))], [new FileRole("--input", input)]);
    }
}
