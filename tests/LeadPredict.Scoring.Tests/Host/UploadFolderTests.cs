using System.Net;
using System.Runtime.Versioning;
using System.Text;
using LeadPredict.Core;
using LeadPredict.TestSupport;

namespace LeadPredict.Scoring.Tests.Host;

/// <summary>Uploaded lead lists live in a folder only the host's user can enter, and never outlive the request or the host.</summary>
[UnsupportedOSPlatform("windows")]
public sealed class UploadFolderTests
{
    [Fact]
    public async Task A_host_killed_during_an_upload_leaves_a_private_folder_that_the_next_start_removes()
    {
        using var tmp = new TempDir();
        var csv = tmp.File("leads.csv");
        var generated = Cli.Train("generate", "--rows", "300000", "--new", "--output", csv);
        Assert.True(generated.ExitCode == 0, generated.All);
        var env = new Dictionary<string, string> { ["TMPDIR"] = tmp.Path };
        string[] args = ["--model", SampleModels.SamplePath, "--log-db", tmp.File("predictions.db")];

        string folder, upload;
        using (var host = await HostProcess.StartAsync(args, env))
        {
            var content = new StreamContent(File.OpenRead(csv));
            content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("text/csv");
            var posting = host.Client.PostAsync("/api/v1/score/csv", content);
            var until = DateTime.UtcNow.AddSeconds(60);
            string? found = null;
            while (found is null && DateTime.UtcNow < until && !posting.IsCompleted)
            {
                found = Directory.GetDirectories(tmp.Path, $"{LeadPredict.Scoring.Host.UploadFolder.Prefix}{host.Id}.*")
                    .SelectMany(d => Directory.GetFiles(d, "upload.csv", SearchOption.AllDirectories)).FirstOrDefault();
                if (found is null) await Task.Delay(2);
            }
            Assert.True(found is not null, "the upload never appeared in the host's folder");
            host.Kill();
            await Assert.ThrowsAnyAsync<Exception>(() => posting);
            upload = found;
            folder = Path.GetDirectoryName(Path.GetDirectoryName(upload))!;
        }
        Assert.Equal(PrivateFiles.DirectoryMode, File.GetUnixFileMode(folder));
        Assert.Equal(PrivateFiles.DirectoryMode, File.GetUnixFileMode(Path.GetDirectoryName(upload)!));
        Assert.Equal(PrivateFiles.FileMode, File.GetUnixFileMode(upload));

        using (await HostProcess.StartAsync(args, env))
            Assert.False(Directory.Exists(folder), "the killed host's uploads are still there after the next start");
    }

    [Fact]
    public async Task An_upload_is_removed_when_its_request_ends_and_the_folder_when_the_host_stops()
    {
        await using var host = await RunningHost.StartAsync();
        await host.WaitUntilReadyAsync();
        var uploads = host.App.Services.GetService(typeof(LeadPredict.Scoring.Host.UploadFolder)) as LeadPredict.Scoring.Host.UploadFolder;
        var ok = await host.Client.PostAsync("/api/v1/score/csv", new StringContent(File.ReadAllText(TestPaths.Data("leads-new.csv")), Encoding.UTF8, "text/csv"));
        Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
        var bad = await host.Client.PostAsync("/api/v1/score/csv", new StringContent("lead_id,\"broken\n1,2", Encoding.UTF8, "text/csv"));
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        var root = uploads!.Root;
        Assert.Empty(Directory.GetFileSystemEntries(root));

        await host.App.StopAsync();
        Assert.False(Directory.Exists(root));
    }
}
