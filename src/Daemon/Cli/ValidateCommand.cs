using System.CommandLine;
using KafkaRestored.Reconciler.Resources;

namespace KafkaRestored.Daemon.Cli;

/// <summary><c>kafka-restored validate PATH...</c>: lints resource files without a cluster, for pre-commit hooks
/// and CI of config repos. Exit 0 when clean (warnings allowed), 1 on any error, 2 on a usage error.</summary>
internal static class ValidateCommand
{
    /// <summary>Exit code when some resource has an error.</summary>
    public const int Invalid = 1;

    /// <summary>Builds the command.</summary>
    public static Command Create()
    {
        var paths = new Argument<string[]>("paths")
        {
            Description = "Resource files or directories (*.yaml, *.yml, searched recursively)",
            Arity = ArgumentArity.OneOrMore,
        };
        var exclude = new Option<string[]>("--exclude")
        {
            Description = "Directory, relative to each directory given, not to scan (repeatable; default: status and snapshots, the daemon's own folders)",
            AllowMultipleArgumentsPerToken = false,
        };
        var command = new Command("validate", "Check resource files: YAML syntax, fields, values and duplicate identities; print FILE:LINE:COL: error|warning: CODE: message per problem")
        {
            paths,
            exclude,
        };
        command.SetAction(parseResult =>
        {
            var given = parseResult.GetValue(paths) ?? [];
            var excluded = parseResult.GetValue(exclude);
            return Run(given, excluded is { Length: > 0 } ? new ResourceLoadOptions(excluded) : ResourceLoadOptions.Default,
                parseResult.InvocationConfiguration.Output, parseResult.InvocationConfiguration.Error);
        });
        return command;
    }

    /// <summary>Validates and prints; returns the exit code.</summary>
    public static int Run(IReadOnlyList<string> paths, ResourceLoadOptions options, TextWriter output, TextWriter error)
    {
        var missing = paths.Where(p => !File.Exists(p) && !Directory.Exists(p)).ToList();
        if (missing.Count > 0)
        {
            foreach (var p in missing) error.WriteLine($"kafka-restored validate: {p}: no such file or directory");
            return Program.UsageError;
        }
        var result = ResourceLoader.LoadPaths(paths, options);
        foreach (var d in result.Diagnostics) output.WriteLine(d.ToString());
        output.WriteLine($"{result.ErrorCount} error(s), {result.WarningCount} warning(s) in {result.FileCount} file(s)");
        return result.HasErrors ? Invalid : 0;
    }
}
