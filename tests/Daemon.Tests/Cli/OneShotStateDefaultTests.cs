using System.Text.RegularExpressions;
using KafkaRestored.TestSupport;

namespace KafkaRestored.Daemon.Tests.Cli;

/// <summary>`restore --help` and `offsets ... --help` state the folder a run without --state-dir really uses.</summary>
public sealed class OneShotStateDefaultTests
{
    private static ProcessResult Cli(Dictionary<string, string?> env, params string[] args) =>
        ProcessRunner.Run("dotnet", [RepoPaths.ProjectOutput("src/Daemon", "kafka-restored"), .. args], environment: env, timeout: TimeSpan.FromMinutes(2));

    /// <summary>The folder the help text names after "default here:", with the help's line wrapping undone.</summary>
    private static string HelpDefault(ProcessResult help)
    {
        Assert.True(help.ExitCode == 0, help.StdOut + help.StdErr);
        var text = Regex.Replace(help.StdOut, @"\s+", " ");
        var m = Regex.Match(text, @"--state-dir .*?default here: (?<dir>\S+);");
        Assert.True(m.Success, "no 'default here:' in the --state-dir help:\n" + help.StdOut);
        return m.Groups["dir"].Value;
    }

    private static string[] StateFolders(string root) =>
        Directory.Exists(root) ? [.. Directory.EnumerateDirectories(root, "*", SearchOption.AllDirectories).Order(StringComparer.Ordinal)] : [];

    [Fact]
    public void Restore_help_names_the_folder_a_restore_without_state_dir_creates()
    {
        using var home = new TempDir("kr-home");
        var env = new Dictionary<string, string?> { ["HOME"] = home.Path, ["XDG_STATE_HOME"] = null, ["STATE_DIRECTORY"] = null };
        var file = home.Combine("restore.yaml");
        File.WriteAllText(file, """
            apiVersion: kafka.oso.sh/v1alpha1
            kind: KafkaRestore
            metadata: {name: help-check}
            spec:
              backupId: no-such-backup
              targetCluster: {bootstrapServers: ["127.0.0.1:1"]}
              storage: {storageType: filesystem, filesystem: {path: "/nonexistent/kafka-restored-help-check"}}

            """);

        var stated = HelpDefault(Cli(env, "restore", "--help"));
        var run = Cli(env, "restore", "-f", file);

        Assert.Equal(Path.Combine(home.Path, ".local", "state", "kafka-restored", "cli-restores"), stated);
        Assert.True(run.ExitCode == 1, $"the restore of a missing backup should fail: {run.ExitCode}\n{run.StdErr}");
        Assert.True(Directory.Exists(stated), $"the run did not use {stated}; it made: {string.Join(", ", StateFolders(home.Path))}");

        // Under systemd ($STATE_DIRECTORY) the help follows it as the run does.
        using var systemd = new TempDir("kr-state");
        var underSystemd = new Dictionary<string, string?>(env) { ["STATE_DIRECTORY"] = systemd.Path };
        Assert.Equal(Path.Combine(systemd.Path, "cli-restores"), HelpDefault(Cli(underSystemd, "restore", "--help")));
        Cli(underSystemd, "restore", "-f", file);
        Assert.True(Directory.Exists(Path.Combine(systemd.Path, "cli-restores")), string.Join(", ", StateFolders(systemd.Path)));
    }

    [Fact]
    public void Offsets_help_names_its_own_default_folder()
    {
        using var home = new TempDir("kr-home");
        using var xdg = new TempDir("kr-xdg");
        var env = new Dictionary<string, string?> { ["HOME"] = home.Path, ["XDG_STATE_HOME"] = xdg.Path, ["STATE_DIRECTORY"] = null };

        var help = Cli(env, "offsets", "rollback", "--help");

        Assert.Equal(Path.Combine(xdg.Path, "kafka-restored", "cli-offsets"), HelpDefault(help));
    }
}
