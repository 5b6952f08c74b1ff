using System.Diagnostics;
using System.Net.Sockets;
using System.Text.Json;
using LeadPredict.TestSupport;

namespace LeadPredict.Scoring.Tests.Host;

/// <summary>
/// `leadpredict-score serve` as a separate process on a free loopback port, for tests that kill it (SIGKILL gives the
/// process no chance to clean up, unlike stopping an in-process host).
/// </summary>
public sealed class HostProcess : IDisposable
{
    private readonly Process _process;
    private readonly System.Text.StringBuilder _output = new();

    private HostProcess(Process process, Uri baseAddress)
    {
        _process = process;
        BaseAddress = baseAddress;
        Client = new HttpClient { BaseAddress = baseAddress, Timeout = TimeSpan.FromSeconds(120) };
        process.OutputDataReceived += (_, e) => { lock (_output) _output.AppendLine(e.Data); };
        process.ErrorDataReceived += (_, e) => { lock (_output) _output.AppendLine(e.Data); };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
    }

    public Uri BaseAddress { get; }
    public HttpClient Client { get; }
    public int Id => _process.Id;

    public string Output
    {
        get { lock (_output) return _output.ToString(); }
    }

    /// <param name="args">Arguments after `serve --urls URL` (the model, the log, ...).</param>
    /// <param name="environment">Extra environment variables (e.g. TMPDIR).</param>
    public static async Task<HostProcess> StartAsync(IEnumerable<string> args, IReadOnlyDictionary<string, string>? environment = null)
    {
        var dll = Path.Combine(AppContext.BaseDirectory, "leadpredict-score.dll");
        var url = $"http://127.0.0.1:{FreePort()}";
        var info = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = TestPaths.RepositoryRoot };
        foreach (var a in new[] { dll, "serve", "--urls", url }.Concat(args)) info.ArgumentList.Add(a);
        info.Environment["Logging__LogLevel__Default"] = "Warning";
        foreach (var (k, v) in environment ?? new Dictionary<string, string>()) info.Environment[k] = v;
        var host = new HostProcess(Process.Start(info)!, new Uri(url));
        var until = DateTime.UtcNow.AddSeconds(60);
        while (true)
        {
            try
            {
                if ((await host.Client.GetAsync("/health/ready")).IsSuccessStatusCode) return host;
            }
            catch (HttpRequestException) { }
            if (host._process.HasExited || DateTime.UtcNow > until)
            {
                host.Dispose();
                throw new InvalidOperationException($"the host did not become ready:\n{host.Output}");
            }
            await Task.Delay(100);
        }
    }

    /// <summary>The prediction log's part of /health/ready.</summary>
    public async Task<JsonElement> LogStatusAsync()
    {
        using var doc = JsonDocument.Parse(await Client.GetStringAsync("/health/ready"));
        return doc.RootElement.GetProperty("predictionLog").Clone();
    }

    /// <summary>SIGKILL: no shutdown code runs.</summary>
    public void Kill()
    {
        if (!_process.HasExited) _process.Kill(entireProcessTree: true);
        _process.WaitForExit();
    }

    /// <summary>SIGTERM: the host shuts down as it would under systemd or Ctrl-C.</summary>
    public bool Stop(TimeSpan timeout)
    {
        if (_process.HasExited) return true;
        using (var kill = Process.Start("kill", ["-TERM", _process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)])) kill.WaitForExit();
        return _process.WaitForExit(timeout);
    }

    public void Dispose()
    {
        Kill();
        Client.Dispose();
        _process.Dispose();
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        return ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
    }
}
