using KafkaRestored.TestSupport;

namespace KafkaRestored.Daemon.Tests.Cli;

/// <summary>The built kafka-restored apphost, run as a user or a CI job would.</summary>
internal static class CliBinary
{
    /// <summary>Path of the apphost.</summary>
    public static string Path => System.IO.Path.Combine(System.IO.Path.GetDirectoryName(RepoPaths.ProjectOutput("src/Daemon", "kafka-restored"))!, "kafka-restored");

    /// <summary>Runs it with <paramref name="args"/> and waits up to two minutes.</summary>
    public static ProcessResult Run(IReadOnlyList<string> args, string? workingDirectory = null) =>
        ProcessRunner.Run(Path, args, workingDirectory, timeout: TimeSpan.FromMinutes(2));
}
