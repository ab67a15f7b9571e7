using KafkaRestored.TestSupport;

namespace KafkaRestored.Daemon.Tests.Cli;

/// <summary>Runs the built kafka-restored binary as a user or a CI job would.</summary>
public class ValidateCommandTests
{
    private static ProcessResult Validate(params string[] args) =>
        ProcessRunner.Run("dotnet", [RepoPaths.ProjectOutput("src/Daemon", "kafka-restored"), "validate", .. args],
            workingDirectory: RepoPaths.Root);

    [Fact]
    public void The_example_repo_validates_clean_with_exit_0()
    {
        var result = Validate("examples/repo");

        Assert.Equal(0, result.ExitCode);
        Assert.Equal("0 error(s), 0 warning(s) in 8 file(s)\n", result.StdOut);
    }

    [Fact]
    public void A_bad_file_prints_each_problem_at_its_line_and_column_and_exits_1()
    {
        using var dir = new TempDir();
        var file = dir.Combine("bad.yaml");
        File.WriteAllText(file, """
            apiVersion: kafka.oso.sh/v1alpha1
            kind: KafkaRestore
            metadata:
              name: bad-restore
            spec:
              backupId: backup-20241201
              targetCluster:
                bootstrapServers: [kafka:9092]
                securityProtocol: sasl_ssl
              storage:
                storageType: s3
                s3: {bucket: kafka-backups}
              topics: [orders]
              podTemplate: {}

            """);

        var result = Validate(file, "examples/repo");

        Assert.Equal(1, result.ExitCode);
        Assert.Equal(
        [
            $"{file}:9:23: error: InvalidEnumValue: spec.targetCluster.securityProtocol is \"sasl_ssl\"; it must be one of PLAINTEXT, SSL, SASL_PLAINTEXT, SASL_SSL (did you mean \"SASL_SSL\"?)",
            $"{file}:14:3: warning: IgnoredField: podTemplate has no meaning outside Kubernetes: it is accepted and ignored (status names it under IgnoredFields)",
            "1 error(s), 1 warning(s) in 9 file(s)",
        ], result.StdOut.TrimEnd('\n').Split('\n'));
    }

    [Fact]
    public void A_near_miss_of_a_kind_prints_did_you_mean_for_each_spelling_and_exits_1()
    {
        using var dir = new TempDir();
        var text = File.ReadAllText(Path.Combine(RepoPaths.Root, "examples", "repo", "restores", "simple-restore.yaml"));
        string[] spellings = ["KafkaRestorE", "kafkarestore", "Kafkarestore"];
        foreach (var kind in spellings)
            File.WriteAllText(dir.Combine(kind + ".yaml"), text.Replace("kind: KafkaRestore\n", $"kind: {kind}\n", StringComparison.Ordinal));

        var result = Validate(dir.Path);

        Assert.Equal(1, result.ExitCode);
        Assert.Equal(
        [
            .. spellings.Order(StringComparer.Ordinal).Select(kind =>
                $"{dir.Combine(kind + ".yaml")}:3:7: error: UnknownKind: kind \"{kind}\" is not one of KafkaRestore, KafkaOffsetReset, KafkaOffsetRollback under kafka.oso.sh/v1alpha1; " +
                "did you mean \"KafkaRestore\"? (kinds are case-sensitive); the document is not executed and gets no status file until its kind is fixed"),
            "3 error(s), 0 warning(s) in 3 file(s)",
        ], result.StdOut.TrimEnd('\n').Split('\n'));
    }

    [Fact]
    public void Warnings_alone_exit_0()
    {
        using var dir = new TempDir();
        var text = File.ReadAllText(Path.Combine(RepoPaths.Root, "examples", "repo", "restores", "simple-restore.yaml"))
                   + "  podTemplate: {}\n";
        File.WriteAllText(dir.Combine("warn.yml"), text);

        var result = Validate(dir.Path);

        Assert.Equal(0, result.ExitCode);
        Assert.EndsWith("0 error(s), 1 warning(s) in 1 file(s)\n", result.StdOut, StringComparison.Ordinal);
    }

    [Fact]
    public void A_missing_path_or_no_path_at_all_is_a_usage_error_with_exit_2()
    {
        var missing = Validate("examples/repo", "no/such/dir");
        var none = Validate();

        Assert.Equal(2, missing.ExitCode);
        Assert.Contains("no/such/dir: no such file or directory", missing.StdErr, StringComparison.Ordinal);
        Assert.Equal("", missing.StdOut);
        Assert.Equal(2, none.ExitCode);
        Assert.NotEqual("", none.StdErr);
    }
}
