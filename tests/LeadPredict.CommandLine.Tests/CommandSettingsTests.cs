using System.CommandLine;
using LeadPredict.Core;

namespace LeadPredict.CommandLine.Tests;

public sealed class CommandSettingsTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("leadpredict-settings-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static RootCommand Root() => new("test")
    {
        new Command("score")
        {
            new Option<string?>("--input", "-i"), new Option<string?>("--output-table"), new Option<int>("--top"), new Option<bool>("--no-reasons"),
            new Option<string[]>("--exclude") { AllowMultipleArgumentsPerToken = true },
        },
        new Command("train") { new Option<string?>("--data") },
    };

    private string File(string json)
    {
        var path = Path.Combine(_dir, "settings.json");
        System.IO.File.WriteAllText(path, json);
        return path;
    }

    private static Dictionary<string, string?> Env(params (string Name, string Value)[] vars) => vars.ToDictionary(v => v.Name, v => (string?)v.Value);

    [Fact]
    public void Should_Fill_In_The_Options_The_Command_Line_Lacks_When_A_Settings_File_Is_Given()
    {
        var file = File("""{ "score": { "input": "postgres:open_leads", "outputTable": "lead_scores", "top": 5, "no-reasons": true, "exclude": ["a", "b"] } }""");

        var args = CommandSettings.Apply(Root(), ["score", "--settings", file], Env());

        Assert.Equal(["score", "--input", "postgres:open_leads", "--output-table", "lead_scores", "--top", "5", "--no-reasons", "--exclude", "a", "--exclude", "b"], args);
    }

    [Fact]
    public void Should_Let_The_Environment_Override_The_File_And_The_Command_Line_Override_Both()
    {
        var file = File("""{ "score": { "input": "from-file.csv", "output-table": "file_table", "top": 5 } }""");

        var args = CommandSettings.Apply(Root(), ["score", "--settings", file, "--top", "7"],
            Env(("LEADPREDICT_SCORE_OUTPUT_TABLE", "env_table"), ("LEADPREDICT_SCORE__TOP", "9")));

        Assert.Equal(["score", "--top", "7", "--input", "from-file.csv", "--output-table", "env_table"], args);
    }

    [Fact]
    public void Should_Read_The_Connection_String_From_The_Source_Section_And_Say_Where_It_Came_From()
    {
        var file = File("""{ "source": { "postgres": "Host=db;Username=crm" } }""");

        CommandSettings.Apply(Root(), ["score", "--settings", file], Env());
        var fromFile = CommandSettings.Current.Find("source", "postgres");
        CommandSettings.Apply(Root(), ["score", "--settings", file], Env(("LEADPREDICT_SOURCE_POSTGRES", "Host=other")));
        var fromEnv = CommandSettings.Current.Find("source", "postgres");

        Assert.Equal(("Host=db;Username=crm", "settings.json, source.postgres"), fromFile);
        Assert.Equal(("Host=other", "LEADPREDICT_SOURCE_POSTGRES"), fromEnv);
    }

    [Fact]
    public void Should_Name_The_Setting_And_List_The_Options_When_A_Setting_Is_Not_An_Option_Of_The_Command()
    {
        var file = File("""{ "score": { "outptuTable": "x" } }""");

        var e = Assert.Throws<LeadPredictException>(() => CommandSettings.Apply(Root(), ["score", "--settings", file], Env()));

        Assert.Equal("settings.json, score.outptuTable is not an option of 'score'; its options are: input, output-table, top, no-reasons, exclude.", e.Message);
    }

    [Fact]
    public void Should_Give_The_Line_And_Column_When_The_Settings_File_Is_Not_Json()
    {
        var file = File("{\n  \"score\": { \"input\": }\n}");

        var e = Assert.Throws<LeadPredictException>(() => CommandSettings.Apply(Root(), ["score", "--settings", file], Env()));

        Assert.StartsWith("settings.json, line 2, column ", e.Message);
        Assert.Contains("not valid JSON", e.Message);
    }

    [Fact]
    public void Should_Leave_Another_Commands_Section_Alone_When_Running_One_Command()
    {
        var file = File("""{ "train": { "data": "history.csv" }, "score": { "input": "new.csv" } }""");

        var args = CommandSettings.Apply(Root(), ["score", "--settings", file], Env(("LEADPREDICT_TEST_POSTGRES", "Host=x")));

        Assert.Equal(["score", "--input", "new.csv"], args);
    }
}
