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
        Assert.Equal("0 error(s), 0 warning(s) in 10 file(s)\n", result.StdOut);
    }

    [Fact]
    public void The_example_repo_is_clean_against_the_example_host_policy_and_not_against_another()
    {
        var result = Validate("examples/repo", "--config", "examples/kafka-restored.json");
        Assert.Equal(0, result.ExitCode);
        Assert.Equal("0 error(s), 0 warning(s) in 10 file(s)\n", result.StdOut);

        // Positive control: the systemd example's policy is for other teams and allows none of it.
        var other = Validate("examples/repo", "--config", "systemd/kafka-restored.json");
        Assert.Equal(1, other.ExitCode);
        Assert.Contains("error: PolicyDenied: namespace kafka-backup may not use cluster kafka-0.kafka.svc:9092", other.StdOut, StringComparison.Ordinal);
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
            "1 error(s), 1 warning(s) in 11 file(s)",
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
                $"{dir.Combine(kind + ".yaml")}:3:7: error: UnknownKind: kind \"{kind}\" is not one of KafkaRestore, KafkaOffsetReset, KafkaOffsetRollback, KafkaBackup, KafkaRestoreDrill under kafka.oso.sh/v1alpha1; " +
                "did you mean \"KafkaRestore\"? (kinds are case-sensitive); the document is not executed and gets no status file until its kind is fixed"),
            "3 error(s), 0 warning(s) in 3 file(s)",
        ], result.StdOut.TrimEnd('\n').Split('\n'));
    }

    [Fact]
    public void A_near_miss_of_the_apiVersion_or_a_missing_one_is_an_error_with_did_you_mean_and_a_foreign_file_stays_quiet()
    {
        using var dir = new TempDir();
        var text = File.ReadAllText(Path.Combine(RepoPaths.Root, "examples", "repo", "restores", "simple-restore.yaml"));
        Assert.Contains("\napiVersion: kafka.oso.sh/v1alpha1\nkind: KafkaRestore\n", text, StringComparison.Ordinal);
        foreach (var (name, apiVersion) in new[] { ("a-osso", "kafka.osso.sh/v1alpha1"), ("b-alpah", "kafka.oso.sh/v1alpah1"), ("c-v1", "kafka.oso.sh/v1") })
            File.WriteAllText(dir.Combine(name + ".yaml"), text.Replace("kafka.oso.sh/v1alpha1", apiVersion, StringComparison.Ordinal));
        File.WriteAllText(dir.Combine("d-missing.yaml"), text.Replace("apiVersion: kafka.oso.sh/v1alpha1\n", "", StringComparison.Ordinal));
        File.WriteAllText(dir.Combine("e-deployment.yaml"), "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web}\nspec: {replicas: 2}\n");

        var result = Validate(dir.Path);

        Assert.Equal(1, result.ExitCode);
        var did = "did you mean \"kafka.oso.sh/v1alpha1\"?; the document is not executed and gets no status file until its apiVersion is fixed";
        Assert.Equal(
        [
            $"{dir.Combine("a-osso.yaml")}:2:13: error: UnknownApiVersion: apiVersion \"kafka.osso.sh/v1alpha1\" is not kafka.oso.sh/v1alpha1, the only apiVersion kafka-restored serves; {did}",
            $"{dir.Combine("b-alpah.yaml")}:2:13: error: UnknownApiVersion: apiVersion \"kafka.oso.sh/v1alpah1\" is a version of kafka.oso.sh that kafka-restored does not serve (it serves only kafka.oso.sh/v1alpha1); {did}",
            $"{dir.Combine("c-v1.yaml")}:2:13: error: UnknownApiVersion: apiVersion \"kafka.oso.sh/v1\" is a version of kafka.oso.sh that kafka-restored does not serve (it serves only kafka.oso.sh/v1alpha1); {did}",
            $"{dir.Combine("d-missing.yaml")}:2:1: error: RequiredField: this KafkaRestore has no apiVersion; add apiVersion: kafka.oso.sh/v1alpha1 (the document is not executed and gets no status file until it has one)",
            "4 error(s), 0 warning(s) in 5 file(s)",
        ], result.StdOut.TrimEnd('\n').Split('\n'));

        // Positive control: the Deployment alone is read (5 files above) and passes without a word.
        var foreign = Validate(dir.Combine("e-deployment.yaml"));
        Assert.Equal((0, "0 error(s), 0 warning(s) in 1 file(s)\n"), (foreign.ExitCode, foreign.StdOut));
    }

    [Fact]
    public void Strict_makes_warnings_exit_1_and_leaves_a_clean_repo_at_0()
    {
        using var dir = new TempDir();
        var text = File.ReadAllText(Path.Combine(RepoPaths.Root, "examples", "repo", "restores", "simple-restore.yaml"))
                   + "  podTemplate: {}\n";
        File.WriteAllText(dir.Combine("warn.yml"), text);

        var strict = Validate("--strict", dir.Path);
        var lenient = Validate(dir.Path);
        var clean = Validate("--strict", "examples/repo");

        Assert.Equal(1, strict.ExitCode);
        Assert.EndsWith("0 error(s), 1 warning(s) in 1 file(s) (--strict: warnings fail)\n", strict.StdOut, StringComparison.Ordinal);
        Assert.Equal(0, lenient.ExitCode);
        Assert.Equal((0, "0 error(s), 0 warning(s) in 10 file(s)\n"), (clean.ExitCode, clean.StdOut));
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
    [Fact]
    public void With_config_every_policy_denial_is_an_error_at_the_field_it_concerns()
    {
        using var dir = new TempDir();
        var file = dir.Combine("team-b.yaml");
        File.WriteAllText(file, """
            apiVersion: kafka.oso.sh/v1alpha1
            kind: KafkaOffsetReset
            metadata:
              name: reset
              namespace: team-b
            spec:
              kafkaCluster:
                bootstrapServers: ["dr-kafka-0:9092", "127.0.0.1:19092"]
                securityProtocol: SASL_PLAINTEXT
                saslSecret: {name: prod-kafka, mechanism: PLAIN}
              consumerGroups: [billing]
              topics: [orders]
              strategy: earliest

            """);
        var config = dir.Combine("kafka-restored.json");
        File.WriteAllText(config, """
            {"Policy": {"team-a": {"Secrets": ["prod-kafka"]}, "*": {"Clusters": ["dr-kafka-*:9092"]}}}
            """);

        var result = Validate(file, "--config", config);

        Assert.Equal(1, result.ExitCode);
        Assert.Equal(
        [
            $"{file}:8:43: error: PolicyDenied: namespace team-b may not use cluster 127.0.0.1:19092: add a pattern matching it to Policy:team-b:Clusters in the daemon settings",
            $"{file}:10:24: error: PolicyDenied: namespace team-b may not use secret prod-kafka: add a pattern matching it to Policy:team-b:Secrets in the daemon settings",
            "2 error(s), 0 warning(s) in 1 file(s)",
        ], result.StdOut.TrimEnd('\n').Split('\n'));

        // Positive control: the same file is clean without --config, and with a policy allowing both references.
        Assert.Equal(0, Validate(file).ExitCode);
        File.WriteAllText(config, """{"Policy": {"team-b": {"Secrets": ["prod-kafka"], "Clusters": ["*:9092", "127.0.0.1:*"]}}}""");
        Assert.Equal(0, Validate(file, "--config", config).ExitCode);
    }

    [Fact]
    public void Without_config_only_internal_target_topics_are_checked_and_a_bad_policy_is_a_settings_error()
    {
        using var dir = new TempDir();
        var text = File.ReadAllText(Path.Combine(RepoPaths.Root, "examples", "repo", "restores", "simple-restore.yaml"))
                   + "  topicMapping: {orders: __consumer_offsets}\n";
        var file = dir.Combine("internal.yaml");
        File.WriteAllText(file, text);

        var result = Validate(file);

        Assert.Equal(1, result.ExitCode);
        Assert.Contains(": error: PolicyDenied: namespace default may not use internal topic __consumer_offsets as a restore target", result.StdOut, StringComparison.Ordinal);
        Assert.Contains("Policy:default:InternalTopics", result.StdOut, StringComparison.Ordinal);

        var config = dir.Combine("bad.json");
        File.WriteAllText(config, """{"Policy": {"team-a": {"Folders": ["relative/backups"], "Clusters": [""]}}}""");
        var bad = Validate(file, "--config", config);
        Assert.Equal(2, bad.ExitCode);
        Assert.Contains("Policy:team-a:Clusters:0 is empty", bad.StdErr, StringComparison.Ordinal);
        Assert.Contains("Policy:team-a:Folders:0 is 'relative/backups'", bad.StdErr, StringComparison.Ordinal);
    }
}
