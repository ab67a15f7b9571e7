using KafkaRestored.Restore.Resources.Loading;
using KafkaRestored.Restore.Resources.Model;
using KafkaRestored.Restore.Resources.Policy;
using KafkaRestored.Restore.Resources.Validation;
using KafkaRestored.Restore.Resources.Yaml;

namespace KafkaRestored.Restore.Tests.Resources.Drills;

/// <summary>The KafkaRestoreDrill kind: reading, canonical YAML, durations and what the host policy checks.</summary>
public sealed class DrillSpecTests
{
    private const string Drill = """
        apiVersion: kafka.oso.sh/v1alpha1
        kind: KafkaRestoreDrill
        metadata:
          name: weekly
          namespace: team-a
        spec:
          schedule: "0 3 * * 0"
          backupId: backup-1
          storage:
            storageType: filesystem
            filesystem: {path: /var/backups/kafka}
          targetCluster:
            bootstrapServers: [dr-kafka:9092]
          topicPrefix: drill-
          topics: [orders, payments]
          objectives:
            rto: 1h30m
            rpo: 7d

        """;

    private static KafkaRestoreDrill Load(string text)
    {
        var result = ResourceLoader.LoadText("drill.yaml", text);
        Assert.False(result.HasErrors, string.Join("\n", result.Diagnostics));
        return Assert.IsType<KafkaRestoreDrill>(Assert.Single(result.Resources, r => r.Resource is KafkaRestoreDrill).Resource);
    }

    private static string Backup(string name, string ns) => $$$"""
        ---
        apiVersion: kafka.oso.sh/v1alpha1
        kind: KafkaBackup
        metadata: {name: {{{name}}}, namespace: {{{ns}}}}
        spec:
          kafkaCluster: {bootstrapServers: [kafka:9092]}
          topics: [orders]
          storage: {storageType: filesystem, filesystem: {path: /var/backups/kafka}}
          schedule: "0 2 * * *"

        """;

    [Fact]
    public void A_drill_reads_its_schedule_backup_scratch_prefix_and_objectives()
    {
        var drill = Load(Drill);

        Assert.Equal(new ResourceId(ResourceKinds.KafkaRestoreDrill, "team-a", "weekly"), drill.Id);
        Assert.Equal("0 3 * * 0", drill.Spec.Schedule);
        Assert.Equal(new DateTimeOffset(2026, 12, 13, 3, 0, 0, TimeSpan.Zero), drill.Spec.ParsedSchedule().Next(new DateTimeOffset(2026, 12, 7, 0, 0, 0, TimeSpan.Zero)));
        Assert.Equal("backup-1", drill.Spec.BackupId);
        Assert.Equal("/var/backups/kafka", drill.Spec.Storage!.Filesystem!.Path);
        Assert.Null(drill.Spec.BackupRef);
        Assert.Equal("drill-orders", drill.Spec.ScratchTopic("orders"));
        Assert.Equal(["orders", "payments"], drill.Spec.Topics!);
        Assert.Equal(new DrillObjectives(TimeSpan.FromMinutes(90), TimeSpan.FromDays(7)), drill.Spec.Objectives);
    }

    [Fact]
    public void A_drill_by_KafkaBackup_name_defaults_the_namespace_to_its_own()
    {
        var text = Drill.Replace("  backupId: backup-1\n  storage:\n    storageType: filesystem\n    filesystem: {path: /var/backups/kafka}\n",
            "  backupRef: {name: nightly}\n", StringComparison.Ordinal);

        // The KafkaBackup it names is defined beside it: a backupRef to one no file defines is an error of the load.
        var drill = Load(text + Backup("nightly", "team-a"));

        Assert.Equal(new BackupRef("nightly", "team-a"), drill.Spec.BackupRef);
        Assert.Null(drill.Spec.BackupId);
        Assert.Null(drill.Spec.Storage);
    }

    [Fact]
    public void The_canonical_yaml_of_a_drill_reads_back_to_an_equal_drill()
    {
        var drill = Load(Drill + "  suspend: true\n");

        var text = ResourceYaml.Serialize(drill);
        var again = Load(text);

        Assert.Equal(drill, again);
        Assert.Contains("rto: 1h30m", text, StringComparison.Ordinal);
        Assert.Contains("rpo: 7d", text, StringComparison.Ordinal);
        Assert.True(again.Suspend);
    }

    [Theory]
    [InlineData("30m", 30 * 60_000L)]
    [InlineData("4h", 4 * 3_600_000L)]
    [InlineData("7d", 7 * 86_400_000L)]
    [InlineData("2w", 14 * 86_400_000L)]
    [InlineData("1h30m", 90 * 60_000L)]
    [InlineData("1.5h", 90 * 60_000L)]
    [InlineData("500ms", 500L)]
    [InlineData("2s", 2_000L)]
    public void Durations_read_as_Kubernetes_and_Flux_write_them_and_format_back(string text, long millis)
    {
        Assert.True(Durations.TryParse(text, out var value, out var error), error);
        Assert.Equal(TimeSpan.FromMilliseconds(millis), value);
        Assert.True(Durations.TryParse(Durations.Format(value), out var again, out _));
        Assert.Equal(value, again);
    }

    [Theory]
    [InlineData("30", "a number and a unit")]
    [InlineData("30 minutes", "a number and a unit")]
    [InlineData("-5m", "a number and a unit")]
    [InlineData("0s", "zero")]
    [InlineData("99999d", "longer than 10 years")]
    [InlineData("", "a number and a unit")]
    public void A_bad_duration_says_what_to_write(string text, string expected)
    {
        Assert.False(Durations.TryParse(text, out _, out var error));
        Assert.Contains(expected, error, StringComparison.Ordinal);
    }

    [Fact]
    public void The_host_policy_checks_a_drills_cluster_storage_and_scratch_topics_at_their_fields()
    {
        var drill = Load(Drill.Replace("drill-", "_", StringComparison.Ordinal).Replace("payments", "schemas", StringComparison.Ordinal));
        var policy = new HostPolicy(new Dictionary<string, PolicyEntry>
        {
            ["team-a"] = new() { Clusters = ["prod-kafka:9092"], Folders = ["/srv/other"] },
        });

        var denials = PolicyEvaluator.Evaluate(policy, drill);

        Assert.Equal(["spec.targetCluster.bootstrapServers[0]", "spec.storage.filesystem.path", "spec.topics[1]"], denials.Select(d => d.FieldPath));
        Assert.Contains("internal topic _schemas", denials[2].Message, StringComparison.Ordinal);

        // Positive control: the same drill under a policy allowing all three has no denials.
        var allowing = new HostPolicy(new Dictionary<string, PolicyEntry>
        {
            ["team-a"] = new() { Clusters = ["dr-kafka:9092"], Folders = ["/var/backups"], InternalTopics = ["_schemas"] },
        });
        Assert.Empty(PolicyEvaluator.Evaluate(allowing, drill));
    }
}
