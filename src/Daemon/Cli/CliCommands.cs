using System.CommandLine;

namespace KafkaRestored.Daemon.Cli;

/// <summary>The subcommands of the kafka-restored binary, each defined in its own file beside this one.</summary>
internal static class CliCommands
{
    /// <summary>Every subcommand, in the order --help lists them.</summary>
    public static IEnumerable<Command> All() =>
    [
        ValidateCommand.Create(),
        RestoreCommand.Create(),
        BackupCommand.Create(),
        ReconcileCommand.Create(),
        PlanCommand.Create(),
        StatusCommand.Create(),
        ForgetCommand.Create(),
        OffsetsCommand.Create(),
        DrillCommand.Create(),
        RunCommand.Create(),
        Demo.DemoCommand.Create(),
        DevCommand.Create(),
    ];
}
