using System.Collections.Concurrent;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace LeadPredict.Scoring.Tests.Host;

/// <summary>
/// What the host answered as the server saw it (a client that stopped sending never reads the answer), and every error it logged.
/// Register with <see cref="AddTo"/> through <see cref="RunningHost.StartAsync"/>'s configureServices.
/// </summary>
public sealed class ServerRecorder : IStartupFilter, ILoggerProvider
{
    public ConcurrentQueue<(string Path, int Status)> Answers { get; } = new();
    public ConcurrentQueue<string> Errors { get; } = new();

    public void AddTo(IServiceCollection services)
    {
        services.AddSingleton<IStartupFilter>(this);
        services.AddSingleton<ILoggerProvider>(this);
    }

    public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
    {
        app.Use(async (context, inner) =>
        {
            try
            {
                await inner(context);
                Answers.Enqueue((context.Request.Path, context.Response.StatusCode));
            }
            catch (Exception e)
            {
                Answers.Enqueue((context.Request.Path, StatusCodes.Status500InternalServerError));
                Errors.Enqueue("escaped the pipeline: " + e);
                throw;
            }
        });
        next(app);
    };

    public ILogger CreateLogger(string categoryName) => new Logger(categoryName, Errors);

    public void Dispose() { }

    private sealed class Logger(string category, ConcurrentQueue<string> errors) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;
        public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Error;
        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (logLevel >= LogLevel.Error) errors.Enqueue($"{category}: {formatter(state, exception)} {exception}");
        }
    }
}
