using System.CommandLine;
using System.Text.Json;
using LeadPredict.Core;

namespace LeadPredict.CommandLine;

/// <summary>
/// A command's options from a JSON settings file and the environment, so a scheduled job needs no long command line.
/// The file is <c>--settings FILE</c>, else <c>leadpredict.settings.json</c> in the working directory when there is one; it
/// holds one section per command (<c>"score": { "input": "postgres:open_leads", "outputTable": "lead_scores" }</c>) and a
/// <c>"source"</c> section (<c>"postgres"</c>: the connection string). An environment variable
/// <c>LEADPREDICT_&lt;SECTION&gt;_&lt;KEY&gt;</c> (or <c>LEADPREDICT_&lt;SECTION&gt;__&lt;KEY&gt;</c>, .NET's convention; case and the
/// underscores inside KEY do not matter) overrides the file. The command line wins over both: a setting only fills in an
/// option the command line does not give. Names are the options' long names, dashed or camel-cased (<c>output-table</c>,
/// <c>outputTable</c>); an unknown name is an error, so a typo is not silently ignored.
/// </summary>
public sealed class CommandSettings
{
    public const string DefaultFile = "leadpredict.settings.json";
    public const string Prefix = "LEADPREDICT_";

    private readonly Dictionary<string, Dictionary<string, (string[] Values, string Origin)>> _sections = new(StringComparer.OrdinalIgnoreCase);

    public static readonly Option<FileInfo?> SettingsOption = new("--settings")
    {
        Description = $"JSON settings file with options per command (default: ./{DefaultFile} when present); LEADPREDICT_* environment variables override it, the command line wins.",
        Recursive = true,
    };

    /// <summary>The settings of this run (set by <see cref="CommandRunner.Run"/>).</summary>
    public static CommandSettings Current { get; private set; } = new();

    /// <summary>A setting of a section that is not a command (e.g. source / postgres), with where it came from for messages.</summary>
    public (string Value, string Origin)? Find(string section, string key) =>
        _sections.TryGetValue(section, out var s) && s.TryGetValue(Normalize(key), out var v) && v.Values.Length > 0 ? (v.Values[0], v.Origin) : null;

    /// <summary>
    /// Reads the settings and returns the arguments with the options the command line lacks filled in from them.
    /// </summary>
    public static string[] Apply(RootCommand root, string[] args, IReadOnlyDictionary<string, string?>? environment = null)
    {
        var settings = new CommandSettings();
        var file = SettingsFile(args, out args);
        if (file is not null) settings.ReadFile(file);
        settings.ReadEnvironment(environment ?? Environment.GetEnvironmentVariables().Cast<System.Collections.DictionaryEntry>()
            .ToDictionary(e => (string)e.Key, e => (string?)e.Value));
        Current = settings;
        var command = args.Length > 0 ? root.Subcommands.FirstOrDefault(c => c.Name == args[0]) : null;
        if (command is null) return args;
        settings.Check(root, file);
        if (!settings._sections.TryGetValue(command.Name, out var section)) return args;
        var given = args.Skip(1).Where(a => a.StartsWith('-')).Select(a => a.Split('=')[0]).ToHashSet(StringComparer.Ordinal);
        var extra = new List<string>();
        foreach (var option in Options(command))
        {
            if (option.Aliases.Append(option.Name).Any(given.Contains)) continue;
            if (!section.TryGetValue(Normalize(option.Name), out var setting)) continue;
            var type = Nullable.GetUnderlyingType(option.ValueType) ?? option.ValueType;
            if (type == typeof(bool))
            {
                if (!bool.TryParse(setting.Values[0], out var on))
                    throw new LeadPredictException($"{setting.Origin}: {option.Name} must be true or false, got '{setting.Values[0]}'.");
                if (on) extra.Add(option.Name);
                continue;
            }
            foreach (var value in setting.Values) { extra.Add(option.Name); extra.Add(value); }
        }
        return [.. args, .. extra];
    }

    private static IEnumerable<Option> Options(Command command) =>
        command.Options.Where(o => o.Name is not ("--help" or "--version") && o != SettingsOption && o.Name != "--verbose");

    /// <summary>The file named by --settings (removed from the arguments), else ./leadpredict.settings.json when present.</summary>
    private static string? SettingsFile(string[] args, out string[] rest)
    {
        var list = args.ToList();
        for (var i = 0; i < list.Count; i++)
        {
            string? path = null;
            if (list[i] == SettingsOption.Name && i + 1 < list.Count) { path = list[i + 1]; list.RemoveRange(i, 2); }
            else if (list[i].StartsWith(SettingsOption.Name + "=", StringComparison.Ordinal)) { path = list[i][(SettingsOption.Name.Length + 1)..]; list.RemoveAt(i); }
            if (path is null) continue;
            rest = [.. list];
            if (!File.Exists(path)) throw new LeadPredictException($"--settings: {path} not found (looked for {Path.GetFullPath(path)}).");
            return Path.GetFullPath(path);
        }
        rest = args;
        return File.Exists(DefaultFile) ? Path.GetFullPath(DefaultFile) : null;
    }

    private void ReadFile(string path)
    {
        var name = Path.GetFileName(path);
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(File.ReadAllBytes(path), new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true });
        }
        catch (JsonException e)
        {
            throw new LeadPredictException($"{name}, line {(e.LineNumber ?? 0) + 1}, column {(e.BytePositionInLine ?? 0) + 1}: not valid JSON; expected {{ \"score\": {{ \"input\": ... }} }}.");
        }
        using (document)
        {
            if (document.RootElement.ValueKind != JsonValueKind.Object)
                throw new LeadPredictException($"{name}: expected a JSON object with one section per command, e.g. {{ \"score\": {{ \"input\": \"leads.csv\" }} }}.");
            foreach (var section in document.RootElement.EnumerateObject())
            {
                if (section.Value.ValueKind != JsonValueKind.Object)
                    throw new LeadPredictException($"{name}: \"{section.Name}\" must be an object of settings, e.g. {{ \"{section.Name}\": {{ ... }} }}.");
                foreach (var setting in section.Value.EnumerateObject())
                {
                    var origin = $"{name}, {section.Name}.{setting.Name}";
                    string[] values = setting.Value.ValueKind switch
                    {
                        JsonValueKind.Array => setting.Value.EnumerateArray().Select(v => Text(v, origin)).ToArray(),
                        JsonValueKind.Null => [],
                        _ => [Text(setting.Value, origin)],
                    };
                    Section(section.Name)[Normalize(setting.Name)] = (values, origin);
                }
            }
        }
    }

    private static string Text(JsonElement value, string origin) => value.ValueKind switch
    {
        JsonValueKind.String => value.GetString()!,
        JsonValueKind.Number => value.GetRawText(),
        JsonValueKind.True => "true",
        JsonValueKind.False => "false",
        _ => throw new LeadPredictException($"{origin}: expected a text, a number, true/false or a list of them."),
    };

    private void ReadEnvironment(IReadOnlyDictionary<string, string?> environment)
    {
        foreach (var (variable, value) in environment)
        {
            if (!variable.StartsWith(Prefix, StringComparison.OrdinalIgnoreCase) || value is null || variable.Length == Prefix.Length) continue;
            var rest = variable[Prefix.Length..];
            var split = rest.IndexOf('_', StringComparison.Ordinal);
            if (split <= 0) continue;
            var section = rest[..split];
            var key = rest[(split + 1)..].TrimStart('_');
            Section(section)[Normalize(key)] = ([value], variable);
        }
    }

    /// <summary>Every setting of a command's section must name one of its options.</summary>
    private void Check(RootCommand root, string? file)
    {
        foreach (var (sectionName, section) in _sections)
        {
            var command = root.Subcommands.FirstOrDefault(c => string.Equals(c.Name, sectionName, StringComparison.OrdinalIgnoreCase));
            if (command is null) continue; // another tool's section (the train settings when scoring), or source
            var known = Options(command).Select(o => Normalize(o.Name)).ToHashSet();
            foreach (var (key, setting) in section)
                if (!known.Contains(key))
                    throw new LeadPredictException(
                        $"{setting.Origin} is not an option of '{command.Name}'; its options are: {string.Join(", ", Options(command).Select(o => o.Name.TrimStart('-')))}.");
        }
    }

    private Dictionary<string, (string[] Values, string Origin)> Section(string name)
    {
        if (!_sections.TryGetValue(name, out var section)) _sections[name] = section = new(StringComparer.Ordinal);
        return section;
    }

    /// <summary>"--output-table", "outputTable", "OUTPUT_TABLE" all become "outputtable".</summary>
    private static string Normalize(string name) =>
        string.Concat(name.Where(char.IsLetterOrDigit)).ToLowerInvariant();
}
