using System.CommandLine;
using System.CommandLine.Invocation;
using System.Reflection;
using KafkaRestored.Restore.Kafka;

namespace KafkaRestored.Daemon.Cli;

/// <summary><c>kafka-restored --version</c>: this build's version, then the librdkafka it loaded (version and file).</summary>
internal sealed class VersionAction : SynchronousCommandLineAction
{
    /// <inheritdoc />
    public override int Invoke(ParseResult parseResult)
    {
        var output = parseResult.InvocationConfiguration.Output;
        output.WriteLine("kafka-restored " + ProductVersion());
        // Load() ran before any command; what it loaded is the only librdkafka /proc/self/maps shows.
        var loaded = BundledLibrdkafka.Load();
        output.WriteLine($"librdkafka {loaded.Version} {loaded.Path}");
        return 0;
    }

    /// <summary>The informational version the build stamped (version, then the commit when the SDK knew it).</summary>
    internal static string ProductVersion() =>
        typeof(VersionAction).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion
        ?? typeof(VersionAction).Assembly.GetName().Version?.ToString() ?? "unknown";
}
