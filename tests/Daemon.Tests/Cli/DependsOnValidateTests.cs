using KafkaRestored.TestSupport;

namespace KafkaRestored.Daemon.Tests.Cli;

/// <summary>spec.dependsOn and spec.suspend through the built kafka-restored binary's validate command (issue #17):
/// missing dependencies and cycles are errors at file, line and the spec.dependsOn[i] they concern.</summary>
public class DependsOnValidateTests
{
    private static ProcessResult Validate(params string[] args) =>
        ProcessRunner.Run("dotnet", [RepoPaths.ProjectOutput("src/Daemon", "kafka-restored"), "validate", .. args],
            workingDirectory: RepoPaths.Root);

    /// <summary>A valid restore named <paramref name="name"/> with <paramref name="specTail"/> appended to its spec.</summary>
    private static string Restore(string name, string specTail = "") => $"""
        apiVersion: kafka.oso.sh/v1alpha1
        kind: KafkaRestore
        metadata:
          name: {name}
          namespace: team-a
        spec:
          backupId: "backup-20241201"
          targetCluster:
            bootstrapServers: [kafka:9092]
          storage:
            storageType: s3
            s3: {"{"}bucket: kafka-backups, region: us-west-2{"}"}
        {specTail}
        """;

    private static string DependsOn(string kind, string name, string? ns = null) =>
        $"  dependsOn:\n    - kind: {kind}\n      name: {name}\n" + (ns is null ? "" : $"      namespace: {ns}\n");

    [Fact]
    public void Suspend_and_a_dependency_on_a_resource_in_another_file_validate_clean()
    {
        using var dir = new TempDir();
        File.WriteAllText(dir.Combine("a.yaml"), Restore("a", "  suspend: true\n"));
        File.WriteAllText(dir.Combine("b.yaml"), Restore("b", DependsOn("KafkaRestore", "a")));
        File.WriteAllText(dir.Combine("c.yaml"), Restore("c", "  suspend: false\n" + DependsOn("KafkaRestore", "b", "team-a")));

        var result = Validate(dir.Path);

        Assert.Equal((0, "0 error(s), 0 warning(s) in 3 file(s)\n"), (result.ExitCode, result.StdOut));
    }

    [Fact]
    public void A_dependency_no_file_defines_is_an_error_at_its_entry_and_so_is_the_default_namespace_being_wrong()
    {
        using var dir = new TempDir();
        File.WriteAllText(dir.Combine("a.yaml"), Restore("a"));
        // "a" exists in team-a; naming another namespace, or another kind, names nothing.
        File.WriteAllText(dir.Combine("b.yaml"), Restore("b", DependsOn("KafkaRestore", "a", "team-b")));
        File.WriteAllText(dir.Combine("c.yaml"), Restore("c", DependsOn("KafkaOffsetReset", "a")));

        var result = Validate(dir.Path);

        Assert.Equal(1, result.ExitCode);
        var lines = result.StdOut.TrimEnd('\n').Split('\n');
        Assert.Equal(3, lines.Length);
        Assert.StartsWith($"{dir.Combine("b.yaml")}:14:7: error: DependencyNotFound: spec.dependsOn[0] names KafkaRestore team-b/a, which no resource file defines", lines[0], StringComparison.Ordinal);
        Assert.StartsWith($"{dir.Combine("c.yaml")}:14:7: error: DependencyNotFound: spec.dependsOn[0] names KafkaOffsetReset team-a/a,", lines[1], StringComparison.Ordinal);
        Assert.Equal("2 error(s), 0 warning(s) in 3 file(s)", lines[2]);
    }

    [Fact]
    public void A_cycle_and_a_self_dependency_are_errors_naming_the_cycle_path()
    {
        using var dir = new TempDir();
        File.WriteAllText(dir.Combine("a.yaml"), Restore("a", DependsOn("KafkaRestore", "b")));
        File.WriteAllText(dir.Combine("b.yaml"), Restore("b", DependsOn("KafkaRestore", "a")));
        File.WriteAllText(dir.Combine("self.yaml"), Restore("self", DependsOn("KafkaRestore", "self")));
        // Depending on a member of a cycle is no cycle itself: it is reported only through its dependency.
        File.WriteAllText(dir.Combine("z.yaml"), Restore("z", DependsOn("KafkaRestore", "a")));

        var result = Validate(dir.Path);

        Assert.Equal(1, result.ExitCode);
        Assert.Equal(
        [
            $"{dir.Combine("a.yaml")}:14:7: error: DependencyCycle: spec.dependsOn[0] makes a cycle: KafkaRestore team-a/a -> KafkaRestore team-a/b -> KafkaRestore team-a/a; none of these can ever start: remove one of the entries",
            $"{dir.Combine("b.yaml")}:14:7: error: DependencyCycle: spec.dependsOn[0] makes a cycle: KafkaRestore team-a/b -> KafkaRestore team-a/a -> KafkaRestore team-a/b; none of these can ever start: remove one of the entries",
            $"{dir.Combine("self.yaml")}:14:7: error: DependencyCycle: spec.dependsOn[0] makes a cycle: KafkaRestore team-a/self -> KafkaRestore team-a/self; none of these can ever start: remove one of the entries",
            "3 error(s), 0 warning(s) in 4 file(s)",
        ], result.StdOut.TrimEnd('\n').Split('\n'));
    }

    [Fact]
    public void A_case_variant_kind_in_dependsOn_is_UnknownKind_with_did_you_mean_and_a_quoted_suspend_is_a_type_error()
    {
        using var dir = new TempDir();
        File.WriteAllText(dir.Combine("a.yaml"), Restore("a", "  suspend: \"true\"\n"));
        File.WriteAllText(dir.Combine("b.yaml"), Restore("b", DependsOn("kafkarestore", "a")));

        var result = Validate(dir.Path);

        Assert.Equal(1, result.ExitCode);
        Assert.Equal(
        [
            $"{dir.Combine("a.yaml")}:13:12: error: InvalidType: spec.suspend must be true or false, not \"true\" (remove the quotes)",
            $"{dir.Combine("b.yaml")}:14:13: error: UnknownKind: spec.dependsOn[0].kind \"kafkarestore\" is not one of KafkaRestore, KafkaOffsetReset, KafkaOffsetRollback, KafkaBackup, KafkaRestoreDrill; did you mean \"KafkaRestore\"? (kinds are case-sensitive)",
            "2 error(s), 0 warning(s) in 2 file(s)",
        ], result.StdOut.TrimEnd('\n').Split('\n'));
    }
}
