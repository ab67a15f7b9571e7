using System.CommandLine;

namespace KafkaRestored.Daemon.Cli;

/// <summary>The options and wiring shared by the commands that run one resource file by hand (<c>restore -f</c>, <c>drill -f</c>).</summary>
internal static class OneShotCommand
{
    /// <summary>What such a command runs: the file, the --config file, the state and secrets folders, the output streams and the stop token; returns the exit code.</summary>
    public delegate Task<int> Runner(string file, string? configFile, string stateDirectory, string? secretsDirectory,
        TextWriter output, TextWriter error, CancellationToken ct);

    /// <summary>
    /// The command <paramref name="name"/> with -f/--file (<paramref name="fileDescription"/>), --state-dir (default
    /// <see cref="CliSupport.OneShotStateDirectory"/> of <paramref name="stateName"/>), --secrets-dir and --config.
    /// </summary>
    public static Command Create(string name, string description, string fileDescription, string stateName, string stateDescription, Runner run)
    {
        var file = new Option<string>("--file", "-f")
        {
            Description = fileDescription,
            Required = true,
        };
        var stateDir = new Option<string?>("--state-dir")
        {
            Description = $"{stateDescription} ({CliSupport.OneShotStateDefault(stateName)})",
        };
        var secretsDir = CliSupport.SecretsDirectoryOption();
        var config = CliSupport.PolicyConfigOption();
        var command = new Command(name, description)
        {
            file,
            stateDir,
            secretsDir,
            config,
        };
        command.SetAction((parseResult, ct) => run(
            parseResult.GetValue(file)!,
            parseResult.GetValue(config),
            parseResult.GetValue(stateDir) ?? CliSupport.OneShotStateDirectory(stateName),
            parseResult.GetValue(secretsDir) ?? CliSupport.DefaultSecretsDirectory(),
            parseResult.InvocationConfiguration.Output,
            parseResult.InvocationConfiguration.Error,
            ct));
        return command;
    }
}
