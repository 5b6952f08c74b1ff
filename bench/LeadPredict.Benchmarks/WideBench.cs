using System.Globalization;
using System.Text;
using LeadPredict.ML.Training;

namespace LeadPredict.Benchmarks;

/// <summary>
/// Training on wide exports (thousands of columns, a few hundred leads): generates a file per width with a known signal in
/// five columns, trains with the defaults (`--label converted --id lead_id`) in a process of its own, and reports the time,
/// the model chosen, the AUC and how importance was measured.
/// Usage: wide [--columns 2000,5000,20000] [--rows 400] [--work DIR]
/// </summary>
public static class WideBench
{
    public static int Run(string[] args)
    {
        var widths = new[] { 2_000, 5_000, 20_000 };
        var rows = 400;
        var work = Path.Combine(Path.GetTempPath(), "leadpredict-bench");
        for (var i = 0; i < args.Length; i++)
            switch (args[i])
            {
                case "--columns": widths = args[++i].Split(',').Select(v => int.Parse(v, CultureInfo.InvariantCulture)).ToArray(); break;
                case "--rows": rows = int.Parse(args[++i], CultureInfo.InvariantCulture); break;
                case "--work": work = Path.GetFullPath(args[++i]); break;
                default: throw new ArgumentException($"unknown option {args[i]}");
            }
        Directory.CreateDirectory(work);
        var table = new StringBuilder("| columns | rows | file | whole `train` | model chosen | holdout AUC | importance | peak |\n|---|---|---|---|---|---|---|---|\n");
        foreach (var width in widths)
        {
            var file = Generate(work, width, rows);
            var model = Path.Combine(work, $"wide-{width}.zip");
            File.Delete(model);
            var config = new TrainingConfig { Label = "converted", Id = "lead_id" };
            var run = EndToEnd.TrainProcess(file, model, config);
            var line = $"| {width:N0} | {rows:N0} | {new FileInfo(file).Length / 1048576.0:F1} MB | {run.ProcessSeconds:F1} s (" +
                       string.Join(", ", run.Phases.Where(p => p.Seconds >= 0.1).Select(p => $"{p.Name} {p.Seconds:F1} s")) +
                       $") | {run.Model} | {run.Auc:F3} | {run.Importance} | {run.PeakBytes / 1048576.0:N0} MB |";
            Console.WriteLine(line);
            table.AppendLine(line);
        }
        Console.WriteLine();
        Console.WriteLine(table);
        File.WriteAllText(Path.Combine(work, "results-wide.md"), table.ToString());
        return 0;
    }

    /// <summary>Columns c1..cN: four in five are small integers, one in five a category of five letters; five of them carry the signal.</summary>
    private static string Generate(string work, int width, int rows)
    {
        var path = Path.Combine(work, $"wide-{width}x{rows}.csv");
        if (File.Exists(path)) return path;
        var rng = new Random(width);
        using var w = new StreamWriter(path + ".tmp");
        w.Write("lead_id,converted");
        for (var c = 1; c <= width; c++) w.Write($",c{c}");
        w.WriteLine();
        var values = new int[width + 1];
        for (var r = 0; r < rows; r++)
        {
            for (var c = 1; c <= width; c++) values[c] = rng.Next(c % 5 == 0 ? 5 : 100);
            var z = (values[1] - 50) / 25.0 + (values[2] - 50) / 30.0 - (values[3] - 50) / 35.0 + (values[5] == 0 ? 1.2 : 0) + (values[7] - 50) / 50.0;
            var converted = rng.NextDouble() < 1 / (1 + Math.Exp(-z));
            w.Write(r + 1);
            w.Write(converted ? ",yes" : ",no");
            for (var c = 1; c <= width; c++)
            {
                w.Write(',');
                if (c % 5 == 0) w.Write((char)('a' + values[c]));
                else w.Write(values[c]);
            }
            w.WriteLine();
        }
        w.Close();
        File.Move(path + ".tmp", path, overwrite: true);
        return path;
    }
}
