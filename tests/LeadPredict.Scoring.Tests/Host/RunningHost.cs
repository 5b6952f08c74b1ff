using LeadPredict.ML;
using LeadPredict.PredictionLog;
using LeadPredict.Scoring.Host;
using LeadPredict.TestSupport;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.ML;

namespace LeadPredict.Scoring.Tests.Host;

/// <summary>The real host on Kestrel, listening on 127.0.0.1 with a free port, with its model and prediction log in a temp folder.</summary>
public sealed class RunningHost : IAsyncDisposable
{
    private RunningHost(WebApplication app, TempDir dir, string modelPath)
    {
        App = app;
        Dir = dir;
        ModelPath = modelPath;
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();
        BaseAddress = new Uri(address);
        Client = new HttpClient { BaseAddress = BaseAddress, Timeout = TimeSpan.FromSeconds(60) };
    }

    public WebApplication App { get; }
    public TempDir Dir { get; }
    public string ModelPath { get; }
    public Uri BaseAddress { get; }
    public HttpClient Client { get; }

    /// <param name="withModel">Copy the sample model in before starting (false: start with no model file).</param>
    /// <param name="settings">Overrides of the test defaults below; a null value removes the default (e.g. the log level).</param>
    public static async Task<RunningHost> StartAsync(bool withModel = true, IReadOnlyDictionary<string, string?>? settings = null,
        Action<IServiceCollection>? configureServices = null)
    {
        var dir = new TempDir();
        var modelPath = dir.File("lead-model.zip");
        if (withModel) File.Copy(SampleModels.SamplePath, modelPath);
        var all = new Dictionary<string, string?>
        {
            ["urls"] = "http://127.0.0.1:0",
            ["ScoringHost:ModelPath"] = modelPath,
            ["ScoringHost:ReloadDebounce"] = "00:00:00.100",
            ["ScoringHost:ReloadPollInterval"] = "00:00:00.250",
            ["PredictionLog:SqlitePath"] = dir.File("predictions.db"),
            ["Logging:LogLevel:Default"] = "Warning",
        };
        foreach (var (k, v) in settings ?? new Dictionary<string, string?>())
        {
            if (v is null) all.Remove(k); // null: leave the setting to the host's own files
            else all[k] = v;
        }
        var app = ScoringHost.Build([], all, configureServices);
        try
        {
            await app.StartAsync();
        }
        catch
        {
            await app.DisposeAsync();
            dir.Dispose();
            throw;
        }
        return new RunningHost(app, dir, modelPath);
    }

    public async Task WaitUntilReadyAsync(string? version = null, TimeSpan? timeout = null)
    {
        var holder = App.Services.GetRequiredService<ModelHolder>();
        var until = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(30));
        while (holder.Current is null || (version is not null && holder.Current.Version != version))
        {
            if (DateTime.UtcNow > until) throw new TimeoutException($"the host did not load model {version ?? "(any)"}; last error: {holder.LastLoadError}");
            await Task.Delay(20);
        }
    }

    public PredictionLogWriter Log => App.Services.GetRequiredService<PredictionLogWriter>();

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await App.StopAsync();
        await App.DisposeAsync();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Dir.Dispose();
    }
}

/// <summary>Model files for swap tests: the sample model re-saved under another version, and a broken file.</summary>
public static class ModelFiles
{
    private static readonly Lazy<ModelBundle> Sample = new(SampleModels.LoadSample);

    /// <summary>Writes the sample model with another version name, atomically (as training does).</summary>
    public static void WriteVersion(string path, string version, Func<ModelCard, ModelCard>? card = null)
    {
        var b = Sample.Value;
        (b with { Card = (card ?? (c => c))(b.Card with { Version = version }) }).Save(path, new MLContext(seed: 1));
    }

    public static void WriteBroken(string path) =>
        LeadPredict.Core.AtomicFile.Write(path, s => s.Write("PK\u0003\u0004 this is not a model"u8));
}
