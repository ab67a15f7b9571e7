using System.CommandLine;
using System.CommandLine.Help;
using KafkaRestored.Daemon.Cli;
using KafkaRestored.Daemon.Hosting;
using KafkaRestored.Restore.Kafka;

namespace KafkaRestored.Daemon;

/// <summary>Entry point of the kafka-restored CLI and daemon.</summary>
public static class Program
{
    /// <summary>Exit code for a command line that could not be parsed.</summary>
    public const int UsageError = 2;

    /// <summary>Parses the command line and runs the chosen command.</summary>
    public static async Task<int> Main(string[] args)
    {
        UnhandledExceptionLog.Install(Console.Error);
        var root = new RootCommand("kafka-restored: GitOps reconciler for Kafka disaster recovery");
        foreach (var command in CliCommands.All()) root.Subcommands.Add(command);
        root.Options.OfType<VersionOption>().Single().Action = new VersionAction();

        var parsed = root.Parse(args);
        if (parsed.Errors.Count > 0)
        {
            foreach (var error in parsed.Errors) Console.Error.WriteLine("kafka-restored: " + error.Message);
            Console.Error.WriteLine("Run 'kafka-restored --help' for usage.");
            return UsageError;
        }
        if (parsed.Action is not HelpAction)
        {
            try
            {
                // Before any command can create a Kafka client (or the demo its brokers): the bundled librdkafka, by path.
                BundledLibrdkafka.Load();
            }
            catch (LibrdkafkaLoadException e)
            {
                Console.Error.WriteLine($"kafka-restored: {e.Reason}: {e.Message}");
                return UsageError;
            }
        }
        // `run` stops through its host (SIGTERM: graceful shutdown); every other command through InterruptSignals, with
        // System.CommandLine's own handling off, which could end the process under a command still saving its state.
        if (parsed.CommandResult.Command.Name == "run") return await parsed.InvokeAsync();
        var invocation = new InvocationConfiguration { ProcessTerminationTimeout = null };
        using var signals = new InterruptSignals();
        var code = await parsed.InvokeAsync(invocation, signals.Token);
        return signals.Received is not null && code != 0 ? InterruptSignals.ExitCode : code;
    }
}
