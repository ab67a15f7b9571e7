using Confluent.Kafka;
using Confluent.Kafka.Admin;
using KafkaRestored.Restore.Backups;
using KafkaRestored.Restore.Backups.Kbak;
using KafkaRestored.Restore.Storage;
using KafkaRestored.TestSupport;

namespace KafkaRestored.Daemon.Tests.Cli;

/// <summary>Runs the built binary: offsets reset -f with snapshotBeforeReset, then offsets rollback -f back to the snapshot.</summary>
public sealed class OffsetsCommandTests(KafkaFixture kafka) : IClassFixture<KafkaFixture>, IDisposable
{
    private readonly TempDir _dir = new("kr-cli-offsets");

    public void Dispose() => _dir.Dispose();

    private static ProcessResult Cli(params string[] args)
    {
        var apphost = Path.Combine(Path.GetDirectoryName(RepoPaths.ProjectOutput("src/Daemon", "kafka-restored"))!, "kafka-restored");
        return ProcessRunner.Run(apphost, args, timeout: TimeSpan.FromMinutes(2));
    }

    private string Servers => string.Join(", ", kafka.Broker.BootstrapServers.Split(',').Select(s => $"\"{s}\""));

    private string Write(string name, string yaml)
    {
        var path = _dir.Combine(name);
        File.WriteAllText(path, yaml);
        return path;
    }

    private async Task<long?[]> CommittedAsync(string group, string topic, int partitions)
    {
        using var admin = new AdminClientBuilder(new AdminClientConfig { BootstrapServers = kafka.Broker.BootstrapServers }).Build();
        var answer = await admin.ListConsumerGroupOffsetsAsync([new ConsumerGroupTopicPartitions(group,
            [.. Enumerable.Range(0, partitions).Select(p => new TopicPartition(topic, p))])]);
        return [.. answer.Single().Partitions.OrderBy(p => p.Partition.Value).Select(p => p.Offset.Value >= 0 ? (long?)p.Offset.Value : null)];
    }

    /// <summary>A new two-partition topic holding <paramref name="records"/> records, alternating partitions.</summary>
    private string TwoPartitionTopic(string prefix, int records)
    {
        var topic = kafka.Broker.CreateUniqueTopic(prefix, 2);
        using var producer = new ProducerBuilder<string?, string?>(new ProducerConfig { BootstrapServers = kafka.Broker.BootstrapServers }).Build();
        for (var i = 0; i < records; i++) producer.Produce(new TopicPartition(topic, i % 2), new Message<string?, string?> { Value = $"v{i}" });
        producer.Flush(TimeSpan.FromSeconds(30));
        return topic;
    }

    /// <summary>Writes a KafkaOffsetReset of <paramref name="group"/> to the end of <paramref name="topic"/>, snapshotting first.</summary>
    private string SkipToEndFile(string file, string name, string group, string topic, string snapshotId) => Write(file, $"""
        apiVersion: kafka.oso.sh/v1alpha1
        kind: KafkaOffsetReset
        metadata: {"{"}name: {name}{"}"}
        spec:
          kafkaCluster: {"{"}bootstrapServers: [{Servers}]{"}"}
          consumerGroups: [{group}]
          topics: [{topic}]
          strategy: latest
          snapshotBeforeReset: {"{"}enabled: true, snapshotId: {snapshotId}{"}"}
        """);

    /// <summary>Writes a KafkaOffsetRollback of every group of <paramref name="snapshotId"/>.</summary>
    private string RollbackFile(string file, string name, string snapshotId) => Write(file, $"""
        apiVersion: kafka.oso.sh/v1alpha1
        kind: KafkaOffsetRollback
        metadata: {"{"}name: {name}{"}"}
        spec:
          kafkaCluster: {"{"}bootstrapServers: [{Servers}]{"}"}
          operation: rollback
          snapshotId: {snapshotId}
        """);

    [Fact]
    public async Task A_sigterm_stops_an_offset_reset_with_exit_130_and_says_what_to_check()
    {
        // A broker that accepts connections and never answers keeps the reset waiting, so the signal always comes mid-run.
        using var silent = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        silent.Start();
        var reset = Write("silent-reset.yaml", $"""
            apiVersion: kafka.oso.sh/v1alpha1
            kind: KafkaOffsetReset
            metadata: {"{"}name: silent{"}"}
            spec:
              kafkaCluster: {"{"}bootstrapServers: ["127.0.0.1:{((System.Net.IPEndPoint)silent.LocalEndpoint).Port}"]{"}"}
              consumerGroups: [g1]
              topics: [t1]
              strategy: latest
            """);
        var apphost = Path.Combine(Path.GetDirectoryName(RepoPaths.ProjectOutput("src/Daemon", "kafka-restored"))!, "kafka-restored");
        var psi = new System.Diagnostics.ProcessStartInfo(apphost) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in new[] { "offsets", "reset", "-f", reset, "--state-dir", _dir.Combine("silent-state") }) psi.ArgumentList.Add(a);
        using var process = System.Diagnostics.Process.Start(psi)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var connection = await silent.AcceptSocketAsync().WaitAsync(TimeSpan.FromMinutes(1));

        ProcessRunner.Run("kill", ["-TERM", process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]).EnsureSuccess("kill");
        Assert.True(process.WaitForExit(TimeSpan.FromMinutes(1)), "the reset did not stop within a minute of SIGTERM");
        process.WaitForExit();
        var (output, error) = (await stdout, await stderr);

        Assert.True(process.ExitCode == 130, $"exit {process.ExitCode}\n{output}\n{error}");
        Assert.Contains("kafka-restored offsets reset: interrupted: groups committed before the signal keep their new offsets, the others are unchanged; " +
            "check them (kafka-consumer-groups.sh --describe --group G) before running the command again.", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Reset_with_a_snapshot_first_then_rollback_restores_the_offsets_and_prints_status_yaml()
    {
        var topic = TwoPartitionTopic("cli-offsets", 30);
        var group = "cli-" + Guid.NewGuid().ToString("N")[..8];
        using (var admin = new AdminClientBuilder(new AdminClientConfig { BootstrapServers = kafka.Broker.BootstrapServers }).Build())
        {
            await admin.AlterConsumerGroupOffsetsAsync([new ConsumerGroupTopicPartitionOffsets(group,
                [new TopicPartitionOffset(topic, 0, 3), new TopicPartitionOffset(topic, 1, 4)])]);
        }
        var state = _dir.Combine("state");
        var reset = SkipToEndFile("reset.yaml", "skip-to-end", group, topic, "before-skip");

        var resetRun = Cli("offsets", "reset", "-f", reset, "--state-dir", state);

        Assert.True(resetRun.ExitCode == 0, resetRun.StdOut + resetRun.StdErr);
        Assert.Contains("kind: KafkaOffsetReset\n", resetRun.StdOut, StringComparison.Ordinal);
        Assert.Contains("  phase: Completed\n", resetRun.StdOut, StringComparison.Ordinal);
        Assert.Contains($"  groupsReset:\n    - {group}\n", resetRun.StdOut, StringComparison.Ordinal);
        Assert.Contains("  snapshotId: before-skip\n", resetRun.StdOut, StringComparison.Ordinal);
        Assert.Contains("reason: OffsetsReset", resetRun.StdOut, StringComparison.Ordinal);
        Assert.Equal([15L, 15L], await CommittedAsync(group, topic, 2));
        var snapshotFile = Path.Combine(state, "snapshots", "before-skip.yaml");
        Assert.Contains($"  {group}:\n    {topic}:\n      0: 3\n      1: 4\n", File.ReadAllText(snapshotFile), StringComparison.Ordinal);

        var rollback = RollbackFile("rollback.yaml", "undo-skip", "before-skip");

        var rollbackRun = Cli("offsets", "rollback", "-f", rollback, "--state-dir", state);

        Assert.True(rollbackRun.ExitCode == 0, rollbackRun.StdOut + rollbackRun.StdErr);
        Assert.Contains("  phase: Completed\n", rollbackRun.StdOut, StringComparison.Ordinal);
        Assert.Contains("  verification:\n    verified: true\n", rollbackRun.StdOut, StringComparison.Ordinal);
        Assert.Contains("reason: OffsetsRolledBack", rollbackRun.StdOut, StringComparison.Ordinal);
        Assert.Equal([3L, 4L], await CommittedAsync(group, topic, 2));
    }

    [Fact]
    public async Task Restore_f_snapshots_before_writing_resets_after_reports_each_group_does_not_reset_twice_and_rollback_f_undoes_it()
    {
        var target = kafka.Broker.CreateUniqueTopic("cli-restored", 2);
        var group = "cli-" + Guid.NewGuid().ToString("N")[..8];
        var stranger = "stranger-" + Guid.NewGuid().ToString("N")[..8];
        var backups = _dir.Combine("backups");
        var storage = new FilesystemBackupStorage(backups);
        await RestoreKit.WriteBackupAsync(storage, "b1", new Dictionary<(string, int), IReadOnlyList<BackupRecord>>
        {
            [("orders", 0)] = [.. Enumerable.Range(0, 20).Select(i => RestoreKit.Record(i, 1_700_000_000_000 + i, $"k{i}", $"v{i}"))],
            [("orders", 1)] = [.. Enumerable.Range(0, 10).Select(i => RestoreKit.Record(i, 1_700_000_000_000 + i, $"k{i}", $"v{i}"))],
        }, new Dictionary<string, int> { ["orders"] = 2 });
        // In the source the group stopped at 12 on partition 0 and past the backup's end (30) on partition 1.
        await ConsumerGroupSnapshotStore.WriteAsync(storage, "b1", new ConsumerGroupSnapshot(1_700_000_000_000,
            [new GroupOffsets(group, new Dictionary<string, IReadOnlyDictionary<string, long>>
            {
                ["orders"] = new Dictionary<string, long> { ["0"] = 12, ["1"] = 30 },
            })]), CancellationToken.None);
        using var admin = new AdminClientBuilder(new AdminClientConfig { BootstrapServers = kafka.Broker.BootstrapServers }).Build();
        await admin.AlterConsumerGroupOffsetsAsync([new ConsumerGroupTopicPartitionOffsets(group, [new TopicPartitionOffset(target, 0, 0)])]);
        var state = _dir.Combine("restore-state");
        var restore = Write("restore.yaml", $$"""
            apiVersion: kafka.oso.sh/v1alpha1
            kind: KafkaRestore
            metadata: {name: cli-restore, namespace: ops}
            spec:
              backupId: b1
              targetCluster: {bootstrapServers: [{{Servers}}]}
              storage: {storageType: filesystem, filesystem: {path: "{{backups}}"} }
              topicMapping: {orders: {{target}}}
              includeOriginalOffsetHeader: true
              offsetReset: {enabled: true, strategy: headerBased, consumerGroups: [{{group}}, {{stranger}}]}
              rollback: {enabled: true, snapshotId: before-cli-restore}
            """);

        var run = Cli("restore", "-f", restore, "--state-dir", state);

        Assert.True(run.ExitCode == 0, run.StdOut + run.StdErr);
        Assert.Contains("  restoredRecords: 30\n", run.StdOut, StringComparison.Ordinal);
        Assert.Contains($"  offsetResetStatus:\n    phase: Failed\n    groupsReset:\n      - {group}\n    groupsFailed:\n      - group: {stranger}\n        reason: GroupNotInBackupSnapshot\n", run.StdOut, StringComparison.Ordinal);
        Assert.Contains("  rollbackSnapshotId: before-cli-restore\n", run.StdOut, StringComparison.Ordinal);
        // Completed, but the Ready reason says a group was left behind, and stderr warns.
        Assert.Contains("      reason: OffsetResetIncomplete\n", run.StdOut, StringComparison.Ordinal);
        Assert.Contains($"warning: Restore completed successfully", run.StdErr, StringComparison.Ordinal);
        Assert.Contains($"consumer group(s) {stranger} were not reset", run.StdErr, StringComparison.Ordinal);
        Assert.Equal([12L, 10L], await CommittedAsync(group, target, 2));
        Assert.Equal([null, null], await CommittedAsync(stranger, target, 2));
        var snapshotFile = Path.Combine(state, "snapshots", "before-cli-restore.yaml");
        Assert.Contains($"  {group}:\n    {target}:\n      0: 0\n", File.ReadAllText(snapshotFile), StringComparison.Ordinal);

        // Consumers moved on; running the finished restore again must not put them back.
        await admin.AlterConsumerGroupOffsetsAsync([new ConsumerGroupTopicPartitionOffsets(group, [new TopicPartitionOffset(target, 0, 15)])]);
        var again = Cli("restore", "-f", restore, "--state-dir", state);
        Assert.True(again.ExitCode == 0, again.StdOut + again.StdErr);
        Assert.Contains($"offsets of {group} were already reset", again.StdErr, StringComparison.Ordinal);
        // The group that failed is tried again, and fails again for the same reason.
        Assert.Contains($"  offsetResetStatus:\n    phase: Failed\n    groupsFailed:\n      - group: {stranger}\n", again.StdOut, StringComparison.Ordinal);
        Assert.Equal([15L, 10L], await CommittedAsync(group, target, 2));

        var rollback = Write("undo-restore.yaml", $$"""
            apiVersion: kafka.oso.sh/v1alpha1
            kind: KafkaOffsetRollback
            metadata: {name: undo-restore}
            spec:
              kafkaCluster: {bootstrapServers: [{{Servers}}]}
              operation: rollback
              snapshotId: before-cli-restore
              consumerGroups: [{{group}}]
            """);
        var undone = Cli("offsets", "rollback", "-f", rollback, "--state-dir", state);

        // Partition 1 had no committed offset before the restore: the group is back only once that
        // offset is deleted, which the test broker cannot do (no OffsetDelete), so the rollback is
        // not verified and exits 1, with the partition in the status, not only on stderr.
        Assert.True(undone.ExitCode == 1, undone.StdOut + undone.StdErr);
        Assert.Contains("  verification:\n    verified: false\n", undone.StdOut, StringComparison.Ordinal);
        Assert.Contains($"        topic: {target}\n        partition: 1\n        actual: 10\n", undone.StdOut, StringComparison.Ordinal);
        Assert.Contains("reason: OffsetDeleteUnsupported", undone.StdOut, StringComparison.Ordinal);
        Assert.Equal([0L, 10L], await CommittedAsync(group, target, 2));
    }

    [Fact]
    public async Task The_readme_rollback_of_a_group_that_had_no_offsets_exits_1_with_the_partitions_in_status_while_they_stay_reset()
    {
        // Issue #15 item 1: this printed "verified: true" and exited 0 with the group still at the end.
        var topic = TwoPartitionTopic("cli-fresh", 10);
        var group = "fresh-" + Guid.NewGuid().ToString("N")[..8];
        var state = _dir.Combine("state-fresh");
        var reset = SkipToEndFile("reset-fresh.yaml", "skip-fresh", group, topic, "before-fresh");
        var resetRun = Cli("offsets", "reset", "-f", reset, "--state-dir", state);
        Assert.True(resetRun.ExitCode == 0, resetRun.StdOut + resetRun.StdErr);
        Assert.Contains("  verification:\n    verified: true\n", resetRun.StdOut, StringComparison.Ordinal);
        Assert.Equal([5L, 5L], await CommittedAsync(group, topic, 2));

        var rollback = RollbackFile("rollback-fresh.yaml", "undo-fresh", "before-fresh");
        var run = Cli("offsets", "rollback", "-f", rollback, "--state-dir", state);

        Assert.True(run.ExitCode == 1, run.StdOut + run.StdErr);
        Assert.Contains("  phase: Failed\n", run.StdOut, StringComparison.Ordinal);
        Assert.Contains("  verification:\n    verified: false\n", run.StdOut, StringComparison.Ordinal);
        Assert.DoesNotContain("verified: true", run.StdOut, StringComparison.Ordinal);
        Assert.Contains("reason: OffsetDeleteUnsupported", run.StdOut, StringComparison.Ordinal);
        Assert.Contains($"{topic}[0], {topic}[1]", run.StdOut, StringComparison.Ordinal);
        Assert.Equal([5L, 5L], await CommittedAsync(group, topic, 2));
    }

    [Fact]
    public void A_rollback_naming_a_group_the_snapshot_lacks_fails_with_the_reason_in_status()
    {
        var state = _dir.Combine("state2");
        var topic = kafka.Broker.CreateUniqueTopic("cli-offsets", 1);
        var snapshot = Write("snap.yaml", $"""
            apiVersion: kafka.oso.sh/v1alpha1
            kind: KafkaOffsetRollback
            metadata: {"{"}name: take{"}"}
            spec:
              kafkaCluster: {"{"}bootstrapServers: [{Servers}]{"}"}
              operation: snapshot
              snapshotId: only-a
              consumerGroups: [group-a]
            """);
        var taken = Cli("offsets", "rollback", "-f", snapshot, "--state-dir", state);
        Assert.True(taken.ExitCode == 0, taken.StdOut + taken.StdErr);
        Assert.Contains("  groupsSnapshotted:\n    - group-a\n", taken.StdOut, StringComparison.Ordinal);
        Assert.Contains(topic, File.ReadAllText(Path.Combine(state, "snapshots", "only-a.yaml")), StringComparison.Ordinal);

        var bad = Write("bad.yaml", $"""
            apiVersion: kafka.oso.sh/v1alpha1
            kind: KafkaOffsetRollback
            metadata: {"{"}name: undo{"}"}
            spec:
              kafkaCluster: {"{"}bootstrapServers: [{Servers}]{"}"}
              operation: rollback
              snapshotId: only-a
              consumerGroups: [group-b]
            """);
        var run = Cli("offsets", "rollback", "-f", bad, "--state-dir", state);

        Assert.Equal(1, run.ExitCode);
        Assert.Contains("  phase: Failed\n", run.StdOut, StringComparison.Ordinal);
        Assert.Contains("reason: GroupNotInSnapshot", run.StdOut, StringComparison.Ordinal);
        Assert.Contains("'group-b'", run.StdOut, StringComparison.Ordinal);
    }

    [Fact]
    public void With_a_config_whose_policy_denies_the_cluster_nothing_runs_and_an_allowing_one_takes_the_snapshot()
    {
        var state = _dir.Combine("state-policy");
        kafka.Broker.CreateUniqueTopic("cli-offsets", 1);
        var snapshot = Write("snap-policy.yaml", $"""
            apiVersion: kafka.oso.sh/v1alpha1
            kind: KafkaOffsetRollback
            metadata: {"{"}name: take, namespace: team-b{"}"}
            spec:
              kafkaCluster: {"{"}bootstrapServers: [{Servers}]{"}"}
              operation: snapshot
              snapshotId: policy-snap
              consumerGroups: [group-a]
            """);
        var denying = Write("denying.json", """{"Policy": {"team-a": {"Clusters": ["*"]}}}""");
        var allowing = Write("allowing.json", """{"Policy": {"team-b": {"Clusters": ["*"]}}}""");

        var denied = Cli("offsets", "rollback", "-f", snapshot, "--state-dir", state, "--config", denying);

        Assert.Equal(1, denied.ExitCode);
        Assert.Contains($"{snapshot}:5:37: error: PolicyDenied: namespace team-b may not use cluster {kafka.Broker.BootstrapServers.Split(',')[0]}", denied.StdErr, StringComparison.Ordinal);
        Assert.Contains("Policy:team-b:Clusters", denied.StdErr, StringComparison.Ordinal);
        Assert.False(File.Exists(Path.Combine(state, "snapshots", "policy-snap.yaml")));

        var allowed = Cli("offsets", "rollback", "-f", snapshot, "--state-dir", state, "--config", allowing);
        Assert.True(allowed.ExitCode == 0, allowed.StdOut + allowed.StdErr);
        Assert.True(File.Exists(Path.Combine(state, "snapshots", "policy-snap.yaml")));
    }

    [Fact]
    public void A_file_without_the_kind_is_refused()
    {
        var file = Write("other.yaml", """
            apiVersion: kafka.oso.sh/v1alpha1
            kind: KafkaOffsetRollback
            metadata: {name: x}
            spec:
              kafkaCluster: {bootstrapServers: ["127.0.0.1:1"]}
              operation: snapshot
              snapshotId: s
              consumerGroups: [g]
            """);
        var run = Cli("offsets", "reset", "-f", file, "--state-dir", _dir.Combine("s3"));
        Assert.Equal(1, run.ExitCode);
        Assert.Contains("holds no KafkaOffsetReset", run.StdErr, StringComparison.Ordinal);
    }
}
