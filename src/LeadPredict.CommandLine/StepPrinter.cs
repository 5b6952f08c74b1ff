using System.Diagnostics;
using Spectre.Console;

namespace LeadPredict.CommandLine;

/// <summary>
/// Shows progress of long work: each finished step is printed with its duration, and the running step
/// shows a live spinner with detail when the terminal is interactive (plain lines otherwise, e.g. in CI logs).
/// </summary>
public sealed class StepPrinter : IDisposable
{
    private readonly Stopwatch _total = Stopwatch.StartNew();
    private readonly Stopwatch _step = new();
    private readonly object _gate = new();
    private string? _current;
    private string? _detail;
    private readonly bool _interactive = AnsiConsole.Profile.Capabilities.Interactive && !Console.IsOutputRedirected;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task? _spinner;

    public StepPrinter()
    {
        if (_interactive) _spinner = Task.Run(SpinAsync);
    }

    public void Step(string name, string? detail = null)
    {
        lock (_gate)
        {
            if (name == _current) { _detail = detail; return; }
            Finish();
            _current = name;
            _detail = detail;
            _step.Restart();
            if (!_interactive) AnsiConsole.MarkupLine($"[grey]…[/] {Markup.Escape(name)}{(detail is null ? "" : $" [grey]({Markup.Escape(detail)})[/]")}");
        }
    }

    public void Line(string markup)
    {
        lock (_gate)
        {
            ClearSpinnerLine();
            AnsiConsole.MarkupLine(markup);
        }
    }

    private bool _completed;

    /// <summary>Marks the work as done; a printer disposed without this shows its last step as failed.</summary>
    public void Complete()
    {
        lock (_gate) { Finish(); _completed = true; }
    }

    private void Finish(bool failed = false)
    {
        if (_current is null) return;
        ClearSpinnerLine();
        if (failed)
        {
            AnsiConsole.MarkupLine($"[red]✗[/] {Markup.Escape(_current)}");
            _current = null;
            return;
        }
        AnsiConsole.MarkupLine($"[green]✓[/] {Markup.Escape(_current)}{(_detail is null ? "" : $" [grey]({Markup.Escape(_detail)})[/]")} [grey]{_step.Elapsed.TotalSeconds:F1} s[/]");
        _current = null;
    }

    private void ClearSpinnerLine()
    {
        if (_interactive) Console.Write("\r\u001b[2K");
    }

    private async Task SpinAsync()
    {
        var frames = new[] { "⠋", "⠙", "⠹", "⠸", "⠼", "⠴", "⠦", "⠧", "⠇", "⠏" };
        var i = 0;
        while (!_stop.IsCancellationRequested)
        {
            lock (_gate)
            {
                if (_current is not null)
                    Console.Write($"\r\u001b[2K{frames[i++ % frames.Length]} {_current}{(_detail is null ? "" : $" ({_detail})")} {_step.Elapsed.TotalSeconds:F0} s");
            }
            try { await Task.Delay(120, _stop.Token); } catch (TaskCanceledException) { }
        }
    }

    public TimeSpan Elapsed => _total.Elapsed;

    public void Dispose()
    {
        _stop.Cancel();
        _spinner?.Wait();
        lock (_gate) Finish(failed: !_completed);
        Console.Out.Flush();
    }
}
