using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Options;

namespace LeadPredict.Scoring.Host;

/// <summary>
/// When an API key is configured, every /api request must carry it in the X-Api-Key header (or as a Bearer token).
/// The key is compared in constant time (hashes of equal length, FixedTimeEquals) and never logged.
/// Health checks, the OpenAPI document and the page itself stay open; the page asks the user for the key.
/// </summary>
public sealed class ApiKeyMiddleware(RequestDelegate next, IOptions<ScoringHostOptions> options)
{
    public const string Header = "X-Api-Key";
    public const string EnvironmentVariable = "LEADPREDICT_API_KEY";

    private readonly byte[]? _expected = ConfiguredKey(options.Value) is { } key ? SHA256.HashData(Encoding.UTF8.GetBytes(key)) : null;

    public static string? ConfiguredKey(ScoringHostOptions options) =>
        options.ApiKey is { Length: > 0 } k ? k : Environment.GetEnvironmentVariable(EnvironmentVariable) is { Length: > 0 } e ? e : null;

    public async Task InvokeAsync(HttpContext context)
    {
        if (_expected is null || !context.Request.Path.StartsWithSegments("/api") || HttpMethods.IsOptions(context.Request.Method))
        {
            await next(context);
            return;
        }
        var given = context.Request.Headers[Header].ToString();
        if (given.Length == 0 && context.Request.Headers.Authorization.ToString() is { } auth && auth.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
            given = auth["Bearer ".Length..].Trim();
        if (given.Length > 0 && CryptographicOperations.FixedTimeEquals(SHA256.HashData(Encoding.UTF8.GetBytes(given)), _expected))
        {
            await next(context);
            return;
        }
        context.Response.StatusCode = StatusCodes.Status401Unauthorized;
        context.Response.Headers.WWWAuthenticate = "ApiKey header=\"X-Api-Key\"";
        await Results.Problem(
            title: "API key required",
            detail: given.Length == 0 ? $"Send the API key in the {Header} header." : "The API key is not valid.",
            statusCode: StatusCodes.Status401Unauthorized).ExecuteAsync(context);
    }
}
