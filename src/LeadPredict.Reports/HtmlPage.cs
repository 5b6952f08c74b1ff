using System.Net;
using System.Text;
using LeadPredict.Core;

namespace LeadPredict.Reports;

/// <summary>
/// A simple self-contained page of headings, text, tables and <see cref="PlotlyFigure"/> charts (plotly.js inlined once),
/// for notebooks and ad-hoc analyses.
/// </summary>
public sealed class HtmlPage(string title)
{
    private readonly StringBuilder _body = new();

    public HtmlPage Heading(string text)
    {
        _body.Append("<h2>").Append(WebUtility.HtmlEncode(text)).Append("</h2>\n");
        return this;
    }

    public HtmlPage Paragraph(string text)
    {
        _body.Append("<p>").Append(WebUtility.HtmlEncode(text)).Append("</p>\n");
        return this;
    }

    public HtmlPage Charts(params PlotlyFigure[] charts)
    {
        _body.Append(PlotlyFigure.Grid(charts.Select(c => c.ToDiv()).ToArray()));
        return this;
    }

    public HtmlPage Table(IReadOnlyList<string> header, IEnumerable<IReadOnlyList<string>> rows)
    {
        _body.Append("<table><tr>");
        foreach (var h in header) _body.Append("<th>").Append(WebUtility.HtmlEncode(h)).Append("</th>");
        _body.Append("</tr>\n");
        foreach (var row in rows)
        {
            _body.Append("<tr>");
            foreach (var cell in row) _body.Append("<td>").Append(WebUtility.HtmlEncode(cell)).Append("</td>");
            _body.Append("</tr>\n");
        }
        _body.Append("</table>\n");
        return this;
    }

    public string Render() =>
        $"<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>{WebUtility.HtmlEncode(title)}</title>\n<style>{Css}{PlotlyFigure.GridCss}</style>\n" +
        $"<script type=\"text/javascript\">{PlotlyFigure.PlotlyJs}</script>\n</head>\n<body>\n<main>\n<h1>{WebUtility.HtmlEncode(title)}</h1>\n{_body}</main>\n{PlotlyFigure.ResizeScript}</body>\n</html>\n";

    /// <summary>Writes the page atomically and returns its full path.</summary>
    public string Save(string path)
    {
        var full = Path.GetFullPath(path);
        AtomicFile.WriteText(full, Render());
        return full;
    }

    private const string Css = """
        body { font-family: system-ui, sans-serif; color: #222; background: #fafafa; margin: 0; }
        main { max-width: 1200px; margin: 0 auto; padding: 16px 24px 40px; }
        h2 { border-bottom: 2px solid #ddd; padding-bottom: 4px; margin-top: 1.6em; }
        table { border-collapse: collapse; background: #fff; font-size: 0.92em; margin: 8px 0 16px; }
        th, td { border: 1px solid #ddd; padding: 4px 8px; text-align: left; } th { background: #f0f0f0; }
        """;
}
