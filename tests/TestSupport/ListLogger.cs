using Microsoft.Extensions.Logging;

namespace KafkaRestored.TestSupport;

/// <summary>An <see cref="ILogger"/> that keeps every formatted message at Information and above, for tests to search.</summary>
public sealed class ListLogger : ILogger
{
    private readonly Lock _gate = new();
    private readonly List<(LogLevel Level, string Message)> _entries = [];

    /// <summary>The messages logged so far, in order.</summary>
    public IReadOnlyList<string> Lines
    {
        get
        {
            lock (_gate) return [.. _entries.Select(e => e.Message)];
        }
    }

    /// <summary>The messages logged so far with their levels, in order.</summary>
    public IReadOnlyList<(LogLevel Level, string Message)> Entries
    {
        get
        {
            lock (_gate) return [.. _entries];
        }
    }

    /// <inheritdoc />
    public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

    /// <inheritdoc />
    public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Information;

    /// <inheritdoc />
    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        ArgumentNullException.ThrowIfNull(formatter);
        if (!IsEnabled(logLevel)) return;
        lock (_gate) _entries.Add((logLevel, formatter(state, exception)));
    }
}
