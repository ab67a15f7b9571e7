using System.CommandLine;
using System.Text.Json.Nodes;
using KafkaRestored.Daemon.Configuration;
using KafkaRestored.Reconciler;
using KafkaRestored.Restore.Resources.Loading;
using KafkaRestored.Restore.Resources.Model;
using KafkaRestored.Restore.Resources.Policy;
using KafkaRestored.Restore.Resources.Validation;

namespace KafkaRestored.Daemon.Cli;

/// <summary><c>kafka-restored validate PATH...</c>: lints resource files without a cluster, for pre-commit hooks
/// and CI of config repos. With <c>--config FILE</c> the host policy of those settings is evaluated too
/// (PolicyDenied at the field's line and column); without it, only internal target topics are (they
/// always need a policy). Exit 0 when clean (warnings allowed unless <c>--strict</c>), 1 on any error (or, with
/// <c>--strict</c>, any warning), 2 on a usage or settings error.</summary>
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
        var config = new Option<string?>("--config")
        {
            Description = "The daemon's settings file (JSON): its Policy is evaluated, every denial reported as PolicyDenied at the field (a config repo's CI runs this with the host's settings)",
        };
        var strict = new Option<bool>("--strict")
        {
            Description = "Exit 1 on warnings too (ignored fields, resources nested in a List), not only on errors: for CI that wants a clean repository",
        };
        var format = OutputFormatOption.Create();
        var command = new Command("validate", "Check resource files: YAML syntax, apiVersion, fields, values and duplicate identities (and with --config the host policy); print FILE:LINE:COL: error|warning: CODE: message per problem; exit 1 on an error (with --strict on a warning too)")
        {
            paths,
            exclude,
            config,
            strict,
            format,
        };
        command.SetAction(parseResult =>
        {
            var given = parseResult.GetValue(paths) ?? [];
            var excluded = parseResult.GetValue(exclude);
            return Run(given, excluded is { Length: > 0 } ? new ResourceLoadOptions(excluded) : ResourceLoadOptions.Default,
                parseResult.GetValue(config), parseResult.InvocationConfiguration.Output, parseResult.InvocationConfiguration.Error,
                parseResult.GetValue(strict), OutputFormatOption.Get(parseResult, format));
        });
        return command;
    }

    /// <summary>Validates and prints; returns the exit code. <paramref name="configFile"/> (optional) is the daemon's settings file whose Policy is evaluated;
    /// <paramref name="strict"/> makes warnings fail as errors do; <paramref name="format"/> Json prints one ValidateResult document instead of lines.</summary>
    public static int Run(IReadOnlyList<string> paths, ResourceLoadOptions options, string? configFile, TextWriter output, TextWriter error, bool strict = false,
        OutputFormat format = OutputFormat.Text)
    {
        var missing = paths.Where(p => !File.Exists(p) && !Directory.Exists(p)).ToList();
        if (missing.Count > 0)
        {
            foreach (var p in missing) error.WriteLine($"kafka-restored validate: {p}: no such file or directory");
            return Program.UsageError;
        }
        Func<Restore.Resources.Model.KafkaResource, IReadOnlyList<PolicyDenial>> evaluate = r => PolicyEvaluator.InternalTopics(null, r);
        if (configFile is not null)
        {
            ReconcilerOptions settings;
            try
            {
                settings = ReconcilerSettings.Load(configFile, new Dictionary<string, string?>());
            }
            catch (SettingsException e)
            {
                foreach (var p in e.Problems) error.WriteLine($"kafka-restored validate: {p}");
                return CliSupport.ConfigError;
            }
            var problems = ReconcilerOptions.ValidatePolicy(settings.Policy);
            foreach (var p in problems) error.WriteLine($"kafka-restored validate: {p}");
            if (problems.Count > 0) return CliSupport.ConfigError;
            var policy = settings.HostPolicy;
            evaluate = r => PolicyEvaluator.Evaluate(policy, r);
        }
        var result = PolicyCheck.Apply(ResourceLoader.LoadPaths(paths, options), evaluate);
        var failed = result.HasErrors || (strict && result.WarningCount > 0);
        if (format == OutputFormat.Json)
        {
            JsonOutput.Write(output, "ValidateResult", new JsonObject
            {
                ["valid"] = !failed,
                ["strict"] = strict,
                ["files"] = result.FileCount,
                ["errors"] = result.ErrorCount,
                ["warnings"] = result.WarningCount,
                ["diagnostics"] = JsonOutput.Array(result.Diagnostics.Select(Json)),
            });
            return failed ? Invalid : 0;
        }
        foreach (var d in result.Diagnostics) output.WriteLine(d.ToString());
        output.WriteLine($"{result.ErrorCount} error(s), {result.WarningCount} warning(s) in {result.FileCount} file(s)" +
            (strict && !result.HasErrors && result.WarningCount > 0 ? " (--strict: warnings fail)" : ""));
        return failed ? Invalid : 0;
    }

    private static JsonObject Json(Diagnostic d) => new()
    {
        ["file"] = d.File,
        ["line"] = d.Line,
        ["column"] = d.Column,
        ["severity"] = d.IsError ? "error" : "warning",
        ["code"] = d.Code,
        ["message"] = d.Message,
        ["resource"] = d.Resource is { } id ? JsonOutput.Resource(id) : null,
    };
}
