namespace KafkaRestored.Daemon.Tests.Security;

/// <summary>How one `reconcile --once` ended: its exit code (null when the test stopped it), its output, and whether it ran out of time.</summary>
internal sealed record DaemonRun(int? ExitCode, string StdOut, string StdErr, bool TimedOut)
{
    public string Output => $"exit {ExitCode?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "(stopped by the test)"}\nstdout:\n{StdOut}\nstderr:\n{StdErr}";
}
