using Microsoft.Extensions.Logging;

namespace AccountGrains.Client.Tests.Support;

/// <summary>A logger factory whose loggers all write to one <see cref="CapturingLogger"/>.</summary>
public sealed class CapturingLoggerFactory : ILoggerFactory
{
    public CapturingLogger Logger { get; } = new();

    public IReadOnlyCollection<string> Lines => Logger.Lines;

    public ILogger CreateLogger(string categoryName) => Logger;

    public void AddProvider(ILoggerProvider provider)
    {
    }

    public void Dispose()
    {
    }
}
