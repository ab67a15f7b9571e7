using KafkaRestored.Reconciler.Git;
using KafkaRestored.Restore.Resources.Model;
using KafkaRestored.Restore.Workflows;

namespace KafkaRestored.Daemon.Hosting;

/// <summary>
/// Makes an exception nothing caught (on any thread, or in a task nobody awaited) write what it was
/// and the resources being worked on to stderr, so a crash in the journal names its resource.
/// </summary>
internal static class UnhandledExceptionLog
{
    /// <summary>Hooks <see cref="AppDomain.UnhandledException"/> and <see cref="TaskScheduler.UnobservedTaskException"/> for the whole process.</summary>
    public static void Install(TextWriter error)
    {
        // The runtime still ends the process after this handler (SIGABRT, exit 134): this only makes the end say why.
        AppDomain.CurrentDomain.UnhandledException += (_, e) =>
            Write(error, Text("unhandled exception; the process ends", e.ExceptionObject as Exception, ResourcesAtWork.Current), critical: true);
        // An unobserved task does not end the process in .NET; its exception would otherwise be lost.
        TaskScheduler.UnobservedTaskException += (_, e) =>
            Write(error, Text("a task failed and nothing awaited it", e.Exception, ResourcesAtWork.Current), critical: false);
    }

    /// <summary>The first line names the event, the resources at work and the exception; the rest is its stack, credentials in URLs stripped.</summary>
    internal static string Text(string what, Exception? exception, IReadOnlyList<ResourceId> resources)
    {
        var working = resources.Count switch
        {
            0 => "while working on no resource",
            1 => $"while working on {resources[0]}",
            _ => $"while working on {resources.Count} resources: {string.Join(", ", resources)}",
        };
        var inner = exception is AggregateException { InnerExceptions.Count: 1 } one ? one.InnerException! : exception;
        var head = inner is null ? "(no exception object)" : $"{inner.GetType().FullName}: {inner.Message}";
        return UrlRedaction.Redact($"kafka-restored: {what}, {working}: {head}\n{exception}");
    }

    private static void Write(TextWriter error, string text, bool critical)
    {
        // Under journald each line carries its priority (crit, err), so `journalctl -p err` shows it.
        var prefix = Environment.GetEnvironmentVariable("JOURNAL_STREAM") is not null ? (critical ? "<2>" : "<3>") : "";
        lock (error)
        {
            foreach (var line in text.ReplaceLineEndings("\n").Split('\n')) error.WriteLine(prefix + line);
            error.Flush();
        }
    }
}
