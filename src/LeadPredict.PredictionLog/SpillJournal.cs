using System.Buffers;
using System.Globalization;
using System.Text.Json;
using LeadPredict.Core;

namespace LeadPredict.PredictionLog;

/// <summary>
/// Where records go when the database cannot take them: JSON lines appended to a private file and flushed to the disk
/// before the call returns, so a spilled record is as durable as a committed one. Each process appends to files of its
/// own (a line cut short by a kill is never followed by another); a file is replayed once it is sealed.
/// </summary>
internal sealed class SpillJournal(string directory, IReadOnlyList<string> legacyFiles, TimeProvider time)
{
    public const string Extension = ".jsonl";

    private readonly object _gate = new();
    private FileStream? _current;
    private string? _currentPath;
    private long _pending;

    public string Directory { get; } = Path.GetFullPath(directory);

    /// <summary>Records in spill files not yet written to the database.</summary>
    public long Pending => Interlocked.Read(ref _pending);

    /// <summary>Takes in the files of earlier runs (and of earlier versions) and counts their records.</summary>
    public void Open()
    {
        var legacy = legacyFiles.Where(File.Exists).ToArray();
        if (legacy.Length > 0)
        {
            PrivateFiles.CreateDirectory(Directory);
            foreach (var file in legacy)
                File.Move(file, Path.Combine(Directory, $"00000000T000000000-legacy-{Guid.NewGuid():N}{Extension}"));
        }
        long lines = 0;
        foreach (var file in Sealed())
            foreach (var line in File.ReadLines(file))
                if (line.Length > 0) lines++;
        Interlocked.Exchange(ref _pending, lines);
    }

    /// <summary>Appends the records and flushes them to the disk; throws when they could not be saved.</summary>
    public void Append(IReadOnlyList<PredictionRecord> records)
    {
        var buffer = new ArrayBufferWriter<byte>(records.Count * 256);
        using (var json = new Utf8JsonWriter(buffer, new JsonWriterOptions { SkipValidation = true }))
        {
            foreach (var r in records)
            {
                JsonSerializer.Serialize(json, r, PredictionLogJson.Default.PredictionRecord);
                json.Flush();
                buffer.Write("\n"u8);
                json.Reset();
            }
        }
        lock (_gate)
        {
            try
            {
                if (_current is null)
                {
                    PrivateFiles.CreateDirectory(Directory);
                    var name = $"{time.GetUtcNow().UtcDateTime.ToString("yyyyMMdd'T'HHmmssfff", CultureInfo.InvariantCulture)}-{Environment.ProcessId}-{Guid.NewGuid():N}{Extension}";
                    _currentPath = Path.Combine(Directory, name);
                    _current = PrivateFiles.Create(_currentPath, bufferSize: 0, share: FileShare.Read);
                }
                _current.Write(buffer.WrittenSpan);
                _current.Flush(flushToDisk: true);
            }
            catch
            {
                // A partial line may be at the end: the next records start a new file.
                SealLocked();
                throw;
            }
        }
        Interlocked.Add(ref _pending, records.Count);
    }

    /// <summary>Closes the file being appended to, so it can be replayed; the next spill starts a new one.</summary>
    public void Seal()
    {
        lock (_gate) SealLocked();
    }

    private void SealLocked()
    {
        try { _current?.Dispose(); }
        catch (IOException) { }
        _current = null;
        _currentPath = null;
    }

    /// <summary>The spill files not being appended to (by this process or another live one), oldest first.</summary>
    public IReadOnlyList<string> Sealed()
    {
        if (!System.IO.Directory.Exists(Directory)) return [];
        string[] files;
        try { files = System.IO.Directory.GetFiles(Directory, "*" + Extension); }
        catch (DirectoryNotFoundException) { return []; }
        lock (_gate)
            return files.Where(f => f != _currentPath && !OwnedByAnotherLiveProcess(f)).Order(StringComparer.Ordinal).ToArray();
    }

    /// <summary>Names are "time-pid-guid.jsonl": another host sharing the folder may still be appending to its own file.</summary>
    private static bool OwnedByAnotherLiveProcess(string file)
    {
        var parts = Path.GetFileName(file).Split('-');
        return parts.Length == 3 && PrivateFiles.TryParseProcessId(parts[1], out var pid) && pid != Environment.ProcessId
               && !PrivateFiles.IsGone(pid, File.GetLastWriteTimeUtc(file));
    }

    /// <summary>Counts records written to the database (or given up on) from a spill file.</summary>
    public void Replayed(long lines) => Interlocked.Add(ref _pending, -lines);

    /// <summary>Deletes a replayed file.</summary>
    public static void Delete(string file)
    {
        try { File.Delete(file); }
        catch (DirectoryNotFoundException) { }
    }

    /// <summary>
    /// The records of a spill file in chunks, each with the line it starts on. Lines that cannot be read are counted as
    /// unreadable; a last line without its newline (the process was killed while writing it, so it was never acknowledged)
    /// is skipped. <see cref="SpillChunk.Lines"/> counts every non-empty line a chunk used up.
    /// </summary>
    public static IEnumerable<SpillChunk> Read(string file, int chunk)
    {
        var torn = EndsWithoutNewline(file);
        var current = new SpillChunk(0, new List<PredictionRecord>(chunk), 0, 0);
        var number = 0;
        string? previous = null;
        foreach (var line in File.ReadLines(file))
        {
            if (previous is not null) current = Take(current, previous, number, parse: true);
            number++;
            previous = line;
            if (current.Lines >= chunk)
            {
                yield return current;
                current = new SpillChunk(0, new List<PredictionRecord>(chunk), 0, 0);
            }
        }
        if (previous is not null) current = Take(current, previous, number, parse: !torn);
        if (current.Lines > 0) yield return current;
    }

    private static SpillChunk Take(SpillChunk c, string text, int at, bool parse)
    {
        if (text.Length == 0) return c;
        c = c with { FirstLine = c.FirstLine == 0 ? at : c.FirstLine, Lines = c.Lines + 1 };
        if (!parse) return c;
        try
        {
            if (JsonSerializer.Deserialize(text, PredictionLogJson.Default.PredictionRecord) is { } r)
            {
                c.Records.Add(r);
                return c;
            }
        }
        catch (JsonException) { }
        return c with { Unreadable = c.Unreadable + 1 };
    }

    private static bool EndsWithoutNewline(string file)
    {
        using var f = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, 1);
        if (f.Length == 0) return false;
        f.Seek(-1, SeekOrigin.End);
        return f.ReadByte() != '\n';
    }
}

/// <summary>A chunk of a spill file: its first line's number, its records, its unreadable lines, and the non-empty lines it used up.</summary>
internal sealed record SpillChunk(int FirstLine, List<PredictionRecord> Records, int Unreadable, int Lines);

[System.Text.Json.Serialization.JsonSerializable(typeof(PredictionRecord))]
internal sealed partial class PredictionLogJson : System.Text.Json.Serialization.JsonSerializerContext;
