using DuckDB.NET.Data;
using LeadPredict.TestSupport;
using Npgsql;

namespace LeadPredict.Sources.Tests;

/// <summary>The bundled sample leads as a typed Parquet file and a typed PostgreSQL table (the types DuckDB detects in the CSV).</summary>
internal static class TestData
{
    public static string SampleHistory => TestPaths.Data("leads-history.csv");

    public static string NewTempFolder()
    {
        var dir = Path.Combine(Path.GetTempPath(), "leadpredict-tests", "sources-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(dir);
        return dir;
    }

    /// <summary>
    /// The CSV's columns with the types DuckDB detects in it; yes/no columns stay text, as a CRM that stores "yes" has them
    /// (a boolean column would say true, which is another value).
    /// </summary>
    public static List<(string Name, string Type)> Columns(string csv)
    {
        using var db = Open();
        using var c = db.CreateCommand();
        c.CommandText = $"DESCRIBE SELECT * FROM read_csv('{csv}', header = true, auto_type_candidates = ['BIGINT', 'DOUBLE', 'DATE', 'TIMESTAMP', 'VARCHAR'])";
        using var r = c.ExecuteReader();
        var columns = new List<(string, string)>();
        while (r.Read()) columns.Add((r.GetString(0), r.GetString(1)));
        return columns;
    }

    public static void CsvToParquet(string csv, string parquet, string? where = null)
    {
        using var db = Open();
        using var c = db.CreateCommand();
        c.CommandText = $"COPY (SELECT * FROM read_csv('{csv}', header = true, auto_type_candidates = ['BIGINT', 'DOUBLE', 'DATE', 'TIMESTAMP', 'VARCHAR']) {where}) TO '{parquet}' (FORMAT parquet)";
        c.ExecuteNonQuery();
    }

    /// <summary>Creates <paramref name="table"/> (replacing it) with typed columns and loads the CSV into it.</summary>
    public static void CsvToPostgres(string connectionString, string csv, string table)
    {
        using var pg = new NpgsqlConnection(connectionString);
        pg.Open();
        var columns = Columns(csv).Select(c => $"\"{c.Name}\" {PgType(c.Type)}");
        using (var create = new NpgsqlCommand($"DROP TABLE IF EXISTS {table} CASCADE; CREATE TABLE {table} ({string.Join(", ", columns)})", pg))
            create.ExecuteNonQuery();
        using var import = pg.BeginTextImport($"COPY {table} FROM STDIN WITH (FORMAT csv, HEADER true)");
        import.Write(File.ReadAllText(csv));
    }

    public static void Execute(string connectionString, string sql)
    {
        using var pg = new NpgsqlConnection(connectionString);
        pg.Open();
        using var c = new NpgsqlCommand(sql, pg);
        c.ExecuteNonQuery();
    }

    public static T Scalar<T>(string connectionString, string sql)
    {
        using var pg = new NpgsqlConnection(connectionString);
        pg.Open();
        using var c = new NpgsqlCommand(sql, pg);
        return (T)c.ExecuteScalar()!;
    }

    /// <summary>
    /// Runs <paramref name="command"/> and terminates its database backend (the connection named <paramref name="application"/>)
    /// as soon as it is seen running a statement starting with <paramref name="statement"/>; says whether it was.
    /// </summary>
    public static (CliResult Result, bool Killed) KillMidway(string connectionString, string application, string statement, Func<CliResult> command)
    {
        var run = Task.Run(command);
        var killed = false;
        while (!run.IsCompleted && !killed)
        {
            Thread.Sleep(20);
            killed = Scalar<long>(connectionString, $"""
                SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity
                WHERE application_name = '{application}' AND query LIKE '{statement}%' AND state = 'active'
                """) > 0;
        }
        return (run.Result, killed);
    }

    private static string PgType(string duck) => duck switch
    {
        "BIGINT" => "bigint",
        "INTEGER" => "integer",
        "DOUBLE" => "double precision",
        "DATE" => "date",
        "BOOLEAN" => "boolean",
        "TIMESTAMP" => "timestamp",
        _ => "text",
    };

    private static DuckDBConnection Open()
    {
        var db = new DuckDBConnection("DataSource=:memory:");
        db.Open();
        return db;
    }
}
