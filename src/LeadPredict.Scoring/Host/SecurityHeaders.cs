using Microsoft.Extensions.Primitives;

namespace LeadPredict.Scoring.Host;

/// <summary>
/// The headers a page showing lead data needs, on every answer (errors included: they are added just before the headers
/// go out, after the exception handler has cleared the response): scripts, styles and connections from the host only, no
/// framing, no MIME sniffing, no referrer, and API answers (which carry lead data) never stored by a cache.
/// </summary>
public sealed class SecurityHeaders(RequestDelegate next)
{
    /// <summary>The page loads /assets/app.js and /assets/app.css and calls /api on the same host; nothing else is allowed.</summary>
    public const string ContentSecurityPolicy =
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; object-src 'none'; " +
        "base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

    private static readonly StringValues Csp = ContentSecurityPolicy, NoSniff = "nosniff", Deny = "DENY", NoReferrer = "no-referrer", NoStore = "no-store";

    private static readonly Func<object, Task> Apply = state =>
    {
        var context = (HttpContext)state;
        var headers = context.Response.Headers;
        headers.ContentSecurityPolicy = Csp;
        headers.XContentTypeOptions = NoSniff;
        headers.XFrameOptions = Deny;
        headers["Referrer-Policy"] = NoReferrer;
        if (context.Request.Path.StartsWithSegments("/api")) headers.CacheControl = NoStore;
        return Task.CompletedTask;
    };

    public Task InvokeAsync(HttpContext context)
    {
        context.Response.OnStarting(Apply, context);
        return next(context);
    }
}
