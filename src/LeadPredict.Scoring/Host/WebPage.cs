using System.Reflection;

namespace LeadPredict.Scoring.Host;

/// <summary>The sales-ops page at "/": plain HTML, CSS and JS embedded in the assembly (no CDN).</summary>
public static class WebPage
{
    private static readonly Dictionary<string, (byte[] Bytes, string Type)> Assets = Load();

    public static IEndpointRouteBuilder MapWebPage(this IEndpointRouteBuilder app)
    {
        app.MapGet("/", () => Asset("index.html")).ExcludeFromDescription();
        app.MapGet("/assets/{name}", (string name) => Asset(name)).ExcludeFromDescription();
        return app;
    }

    private static IResult Asset(string name) =>
        Assets.TryGetValue(name, out var a) ? TypedResults.Bytes(a.Bytes, a.Type) : TypedResults.NotFound();

    private static Dictionary<string, (byte[], string)> Load()
    {
        var asm = Assembly.GetExecutingAssembly();
        var result = new Dictionary<string, (byte[], string)>(StringComparer.Ordinal);
        foreach (var resource in asm.GetManifestResourceNames().Where(r => r.StartsWith("wwwroot/", StringComparison.Ordinal)))
        {
            using var s = asm.GetManifestResourceStream(resource)!;
            using var ms = new MemoryStream();
            s.CopyTo(ms);
            var name = resource["wwwroot/".Length..];
            var type = Path.GetExtension(name) switch
            {
                ".html" => "text/html; charset=utf-8",
                ".js" => "text/javascript; charset=utf-8",
                ".css" => "text/css; charset=utf-8",
                ".svg" => "image/svg+xml",
                _ => "application/octet-stream",
            };
            result[name] = (ms.ToArray(), type);
        }
        return result;
    }
}
