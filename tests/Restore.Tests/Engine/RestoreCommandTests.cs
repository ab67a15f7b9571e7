using System.Diagnostics;
using System.Text;
using Confluent.Kafka;
using KafkaRestored.Restore.Backups.Kbak;
using KafkaRestored.Restore.Engine;
using KafkaRestored.TestSupport;
using Xunit.Abstractions;

namespace KafkaRestored.Restore.Tests.Engine;

/// <summary>The <c>kafka-restored restore -f</c> command as a child process: status output, exit codes, and resuming after SIGKILL.</summary>
public sealed class RestoreCommandTests(KafkaFixture kafka, S3rverFixture s3, ITestOutputHelper log)
    : IClassFixture<KafkaFixture>, IClassFixture<S3rverFixture>, IDisposable
{
    private readonly EngineScenario _s = new(kafka.Broker);

    public void Dispose() => _s.Dispose();

    private string WriteResource(string name, string extraSpec = "")
    {
        var brokers = string.Join(", ", kafka.Broker.BootstrapServers.Split(',').Select(b => $"\"{b}\""));
        var yaml = $"""
            apiVersion: kafka.oso.sh/v1alpha1
            kind: KafkaRestore
            metadata: {"{"}name: {name}, namespace: ops{"}"}
            spec:
              backupId: {_s.BackupId}
              targetCluster:
                bootstrapServers: [{brokers}]
              storage:
            {StorageYaml()}
            {extraSpec}
            """;
        var path = _s.Path(name + ".yaml");
        File.WriteAllText(path, yaml);
        return path;
    }

    /// <summary>The scenario's storage as the resource spells it (indented under spec.storage).</summary>
    private string StorageYaml() => _s.StorageSpec?.S3 is { } b
        ? $"    storageType: s3\n    s3: {{bucket: {b.Bucket}, region: {b.Region}, prefix: {b.Prefix}, endpoint: \"{b.Endpoint}\", forcePathStyle: true, " +
          $"credentialsSecret: {{name: {b.CredentialsSecret!.Name}, accessKeyKey: {b.CredentialsSecret.AccessKeyKey}, secretKeyKey: {b.CredentialsSecret.SecretKeyKey}}}}}"
        : $"    storageType: filesystem\n    filesystem: {{path: \"{_s.Path("backups")}\"}}";

    private ProcessStartInfo Command(string file)
    {
        var psi = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var a in new[] { RepoPaths.ProjectOutput("src/Daemon", "kafka-restored"), "restore", "-f", file, "--state-dir", _s.Path("state") })
            psi.ArgumentList.Add(a);
        if (_s.SecretsDir is { } secrets)
        {
            psi.ArgumentList.Add("--secrets-dir");
            psi.ArgumentList.Add(secrets);
        }
        return psi;
    }

    private ProcessResult Run(string file, params string[] more) =>
        ProcessRunner.Run("dotnet", [.. Command(file).ArgumentList, .. more], timeout: TimeSpan.FromMinutes(2));

    [Fact]
    public async Task A_config_whose_policy_denies_the_cluster_runs_nothing_and_names_the_field_and_one_allowing_it_restores()
    {
        var topic = kafka.Broker.CreateUniqueTopic("cli-policy", 1);
        await _s.WriteBackupAsync(new Dictionary<(string, int), IReadOnlyList<BackupRecord>>
        {
            [(topic, 0)] = [.. Enumerable.Range(0, 100).Select(i => RestoreKit.Record(i, 1000 + i, "k" + i, "v" + i))],
        }, new Dictionary<string, int> { [topic] = 1 });
        var file = WriteResource("cli-policy");
        var brokers = string.Join(", ", kafka.Broker.BootstrapServers.Split(',').Select(b => $"\"{b}\""));
        var denying = _s.Path("denying.json");
        File.WriteAllText(denying, """{"Policy": {"ops": {"Folders": ["BACKUPS"]}, "other-team": {"Clusters": [BROKERS]}}}""".Replace("BACKUPS", _s.Path("backups"), StringComparison.Ordinal).Replace("BROKERS", brokers, StringComparison.Ordinal));
        var allowing = _s.Path("allowing.json");
        File.WriteAllText(allowing, """{"Policy": {"ops": {"Folders": ["BACKUPS"]}, "*": {"Clusters": [BROKERS]}}}""".Replace("BACKUPS", _s.Path("backups"), StringComparison.Ordinal).Replace("BROKERS", brokers, StringComparison.Ordinal));

        var denied = Run(file, "--config", denying);

        Assert.Equal(1, denied.ExitCode);
        var first = kafka.Broker.BootstrapServers.Split(',')[0];
        Assert.Contains($"{file}:7:24: error: PolicyDenied: namespace ops may not use cluster {first}: add a pattern matching it to Policy:ops:Clusters", denied.StdErr, StringComparison.Ordinal);
        Assert.Contains("nothing was run", denied.StdErr, StringComparison.Ordinal);
        Assert.Equal("", denied.StdOut);
        Assert.Empty(RestoreKit.ReadTopic(kafka.Broker.BootstrapServers, topic, 1));

        // Positive control: the same file with a policy allowing the brokers restores every record.
        var allowed = Run(file, "--config", allowing);
        Assert.True(allowed.ExitCode == 0, allowed.StdOut + allowed.StdErr);
        Assert.Equal(100, RestoreKit.ReadTopic(kafka.Broker.BootstrapServers, topic, 1).Count);
    }

    [Theory]
    [InlineData("""{"PollInterval": "00:00:30"}""")]
    [InlineData("""{"Policy": {}}""")]
    public async Task A_config_without_a_policy_allows_nothing_rather_than_lifting_every_limit(string settings)
    {
        var topic = kafka.Broker.CreateUniqueTopic("cli-nopolicy", 1);
        await _s.WriteBackupAsync(new Dictionary<(string, int), IReadOnlyList<BackupRecord>>
        {
            [(topic, 0)] = [.. Enumerable.Range(0, 10).Select(i => RestoreKit.Record(i, 1000 + i, "k" + i, "v" + i))],
        }, new Dictionary<string, int> { [topic] = 1 });
        var file = WriteResource("cli-nopolicy");
        var config = _s.Path("no-policy.json");
        File.WriteAllText(config, settings);

        var denied = Run(file, "--config", config);

        Assert.Equal(1, denied.ExitCode);
        Assert.Contains($"{config} has no Policy (or an empty one), so this run may reach nothing", denied.StdErr, StringComparison.Ordinal);
        Assert.Contains("error: PolicyDenied: namespace ops may not use cluster", denied.StdErr, StringComparison.Ordinal);
        Assert.Empty(RestoreKit.ReadTopic(kafka.Broker.BootstrapServers, topic, 1));
        // Positive control: without --config the operator's own run is unrestricted and restores.
        var unrestricted = Run(file);
        Assert.True(unrestricted.ExitCode == 0, unrestricted.StdOut + unrestricted.StdErr);
        Assert.Equal(10, RestoreKit.ReadTopic(kafka.Broker.BootstrapServers, topic, 1).Count);
    }

    [Fact]
    public void An_internal_target_topic_needs_a_policy_even_without_config()
    {
        var file = WriteResource("cli-internal", "  topicMapping: {orders: __consumer_offsets}");

        var result = Run(file);

        Assert.Equal(1, result.ExitCode);
        Assert.Contains($"{file}:11:26: error: PolicyDenied: namespace ops may not use internal topic __consumer_offsets as a restore target", result.StdErr, StringComparison.Ordinal);
        Assert.Contains("Policy:ops:InternalTopics", result.StdErr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_restore_command_prints_the_completed_status_as_yaml_and_exits_zero()
    {
        var topic = kafka.Broker.CreateUniqueTopic("cli", 2);
        await _s.WriteBackupAsync(new Dictionary<(string, int), IReadOnlyList<BackupRecord>>
        {
            [(topic, 0)] = [.. Enumerable.Range(0, 300).Select(i => RestoreKit.Record(i, 1000 + i, "k" + i, "v" + i))],
            [(topic, 1)] = [.. Enumerable.Range(0, 200).Select(i => RestoreKit.Record(i, 1000 + i, "k" + i, "v" + i))],
        }, new Dictionary<string, int> { [topic] = 2 });

        var file = WriteResource("cli-restore", "  podTemplate: {labels: {a: b}}");
        var result = Run(file);

        Assert.True(result.ExitCode == 0, result.StdOut + result.StdErr);
        Assert.Contains("phase: Completed", result.StdOut, StringComparison.Ordinal);
        Assert.Contains("restoredRecords: 500", result.StdOut, StringComparison.Ordinal);
        Assert.Contains($"  restoredTopics:\n    - name: {topic}\n      records: 500\n", result.StdOut, StringComparison.Ordinal);
        Assert.Contains("reason: RestoreCompleted", result.StdOut, StringComparison.Ordinal);
        Assert.Contains("status: \"True\"", result.StdOut, StringComparison.Ordinal);
        Assert.Contains("type: IgnoredFields", result.StdOut, StringComparison.Ordinal);
        Assert.Contains("reason: PodTemplateIgnored", result.StdOut, StringComparison.Ordinal);
        Assert.Contains("restoring:", result.StdErr, StringComparison.Ordinal);
        Assert.DoesNotContain("\r[", result.StdErr, StringComparison.Ordinal); // not a terminal: plain lines, no bar
        Assert.Equal(500, Kcat.ReadTopic(kafka.Broker.BootstrapServers, topic).Count);

        // Running it again with the same state finds everything done and writes nothing more.
        var again = Run(file);
        Assert.True(again.ExitCode == 0, again.StdOut + again.StdErr);
        Assert.Contains("restoredRecords: 500", again.StdOut, StringComparison.Ordinal);
        Assert.Equal([300L, 200], RestoreKit.EndOffsets(kafka.Broker.BootstrapServers, topic, 2));
    }

    [Fact]
    public async Task On_a_terminal_the_restore_command_draws_a_progress_bar()
    {
        var topic = kafka.Broker.CreateUniqueTopic("cli-tty", 1);
        await _s.WriteBackupAsync(new Dictionary<(string, int), IReadOnlyList<BackupRecord>>
        {
            [(topic, 0)] = [.. Enumerable.Range(0, 100).Select(i => RestoreKit.Record(i, 1000 + i, "k" + i, "v" + i))],
        }, new Dictionary<string, int> { [topic] = 1 });
        var file = WriteResource("cli-tty");

        var result = ProcessRunner.RunOnTerminal("dotnet", Command(file).ArgumentList, TimeSpan.FromMinutes(2));

        Assert.True(result.ExitCode == 0, result.StdOut + result.StdErr);
        Assert.Contains("\r[", result.StdOut, StringComparison.Ordinal);
        Assert.Contains("[##############################] finished: 100/100 records (100.0%)", result.StdOut, StringComparison.Ordinal);
        Assert.Contains("phase: Completed", result.StdOut, StringComparison.Ordinal);
    }

    [Fact]
    public async Task KR_RESTORE_PRODUCER_chooses_the_producer_and_a_value_it_does_not_know_writes_nothing()
    {
        var topic = kafka.Broker.CreateUniqueTopic("cli-producer", 2);
        await _s.WriteBackupAsync(new Dictionary<(string, int), IReadOnlyList<BackupRecord>>
        {
            [(topic, 0)] = [.. Enumerable.Range(0, 300).Select(i => RestoreKit.Record(i, 1000 + i, "k" + i, "v" + i))],
            [(topic, 1)] = [.. Enumerable.Range(0, 200).Select(i => RestoreKit.Record(i, 1000 + i, "k" + i, "v" + i))],
        }, new Dictionary<string, int> { [topic] = 2 });
        var file = WriteResource("cli-producer");
        ProcessResult RunWith(string value) => ProcessRunner.Run("dotnet", [.. Command(file).ArgumentList],
            environment: new Dictionary<string, string?> { [RestoreProducerChoice.Variable] = value }, timeout: TimeSpan.FromMinutes(2));

        var refused = RunWith("librdkafka");

        Assert.Equal(1, refused.ExitCode);
        Assert.Contains("reason: InvalidClientConfig", refused.StdOut, StringComparison.Ordinal);
        Assert.Contains("nothing was written: the environment variable KR_RESTORE_PRODUCER is 'librdkafka'; set it to native or confluent", refused.StdOut, StringComparison.Ordinal);
        Assert.Equal([0L, 0], RestoreKit.EndOffsets(kafka.Broker.BootstrapServers, topic, 2));

        // The escape hatch restores as the default does: every record, verified.
        var confluent = RunWith("Confluent");
        Assert.True(confluent.ExitCode == 0, confluent.StdOut + confluent.StdErr);
        Assert.Contains("phase: Completed", confluent.StdOut, StringComparison.Ordinal);
        Assert.Equal([300L, 200], RestoreKit.EndOffsets(kafka.Broker.BootstrapServers, topic, 2));
    }

    [Fact]
    public async Task A_failed_restore_prints_the_reason_and_exits_one()
    {
        await _s.WriteBackupAsync(new Dictionary<(string, int), IReadOnlyList<BackupRecord>>
        {
            [("orders", 0)] = [RestoreKit.Record(0, 1, "k", "v")],
        }, new Dictionary<string, int> { ["orders"] = 1 });
        var file = WriteResource("cli-missing", "  topics: [payments]");

        var result = Run(file);

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("phase: Failed", result.StdOut, StringComparison.Ordinal);
        Assert.Contains("reason: TopicNotInBackup", result.StdOut, StringComparison.Ordinal);
        Assert.Contains("status: \"False\"", result.StdOut, StringComparison.Ordinal);
    }

    [Fact]
    public void An_invalid_file_prints_its_diagnostics_and_exits_one()
    {
        var file = WriteResource("cli-invalid", "  topicz: [orders]");

        var result = Run(file);

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("topicz", result.StdErr, StringComparison.Ordinal);
        Assert.Contains("error", result.StdErr, StringComparison.Ordinal);
        Assert.Equal("", result.StdOut);
    }

    [Theory]
    [InlineData(BackupBackend.Filesystem)]
    [InlineData(BackupBackend.S3)]
    public async Task A_restore_killed_at_random_moments_and_run_again_writes_every_record_exactly_once_in_order(BackupBackend backend)
    {
        await _s.UseAsync(backend, s3);
        // ~22 MB against the 8 MiB memory floor: what can land at once after a kill point is bounded by the budget, not by
        // how fast the machine is (the mock broker keeps ~4 MiB per partition, hence many partitions).
        const int partitions = 12;
        const int perPartition = 8_000;
        var padding = new string('.', 200);
        var topic = kafka.Broker.CreateUniqueTopic("kill", partitions);
        var input = KillTestInput(topic, partitions, perPartition, padding);
        await _s.WriteBackupAsync(input, new Dictionary<string, int> { [topic] = partitions }, segmentRecords: 1000);
        var file = WriteResource("cli-kill", "  resources: {limits: {cpu: \"2\", memory: 8Mi}}\n  includeOriginalOffsetHeader: true");

        // Kill points: one during startup and preflight, then at growing shares of the records landed.
        double[] killAt = [0, 0.1, 0.3, 0.5, 0.7, 0.9];
        var random = new Random(12345);
        var total = partitions * perPartition;
        using var watcher = new ConsumerBuilder<byte[], byte[]>(new ConsumerConfig
        {
            BootstrapServers = kafka.Broker.BootstrapServers,
            GroupId = "watch-" + Guid.NewGuid().ToString("N"),
        }).SetLogHandler((_, _) => { }).Build();
        long Landed() => Enumerable.Range(0, partitions)
            .Sum(p => watcher.QueryWatermarkOffsets(new TopicPartition(topic, p), TimeSpan.FromSeconds(10)).High.Value);

        var kills = 0;
        var midRestoreKills = 0;
        ProcessResult? final = null;
        for (var attempt = 0; attempt < 20 && final is null; attempt++)
        {
            using var process = Process.Start(Command(file))!;
            // A failed assertion below must not leave a restore writing into the shared broker.
            using var reaper = new ChildReaper(process);
            var stdout = process.StandardOutput.ReadToEndAsync();
            var stderr = process.StandardError.ReadToEndAsync();
            if (attempt < killAt.Length)
            {
                var killed = WaitForKillPoint(process, killAt[attempt], random, total, Landed);
                if (killed && !process.HasExited)
                {
                    process.Kill(entireProcessTree: true); // SIGKILL: no chance to flush or checkpoint
                    await process.WaitForExitAsync();
                    kills++;
                    var written = Landed();
                    if (written > 0 && written < total) midRestoreKills++;
                    log.WriteLine($"kill {attempt} with {written} records in the target");
                    continue;
                }
            }
            Assert.True(process.WaitForExit(TimeSpan.FromMinutes(2)));
            final = new ProcessResult(process.ExitCode, await stdout, await stderr);
        }

        Assert.NotNull(final);
        Assert.True(final.ExitCode == 0, final.StdOut + final.StdErr);
        Assert.True(kills >= 4, $"only {kills} kills");
        Assert.True(midRestoreKills >= 3, $"only {midRestoreKills} of {kills} kills landed mid-restore");
        Assert.Contains($"restoredRecords: {partitions * perPartition}", final.StdOut, StringComparison.Ordinal);

        AssertEveryRecordOnceInOrder(topic, partitions, perPartition, input);
    }

    /// <summary>The backup's records: <paramref name="perPartition"/> padded records in each partition, at even offsets.</summary>
    private static Dictionary<(string, int), IReadOnlyList<BackupRecord>> KillTestInput(string topic, int partitions, int perPartition, string padding)
    {
        var input = new Dictionary<(string, int), IReadOnlyList<BackupRecord>>();
        for (var p = 0; p < partitions; p++)
        {
            var partition = p;
            input[(topic, p)] = [.. Enumerable.Range(0, perPartition).Select(i =>
                RestoreKit.Record(i * 2, 1_000_000 + i, $"k{partition}-{i}", $"value-{partition}-{i}{padding}"))];
        }
        return input;
    }

    /// <summary>Waits for a kill point: a random moment during startup (share 0), else until that share of the records (plus up to a tenth) has landed; true when the kill point came before the process exited.</summary>
    private static bool WaitForKillPoint(Process process, double killPoint, Random random, long total, Func<long> landed)
    {
        var killed = false;
        if (killPoint == 0)
        {
            killed = !process.WaitForExit(random.Next(100, 400));
        }
        else
        {
            // At most 95% of the records: a kill point at the very end would often come after the last record.
            var threshold = (long)(total * Math.Min(0.95, killPoint + random.NextDouble() * 0.1));
            // Counted with the restore stopped: a count during a fast restore can take long enough to miss the threshold.
            killed = SteppedProcess.RunUntil(process.Id, () => process.HasExited, threshold, landed, () => false, TimeSpan.FromMinutes(3));
        }
        return killed;
    }

    /// <summary>Every record of the backup is in the target exactly once, in order, with its key, value, timestamp and original offset header.</summary>
    private void AssertEveryRecordOnceInOrder(string topic, int partitions, int perPartition, Dictionary<(string, int), IReadOnlyList<BackupRecord>> input)
    {
        var seen = RestoreKit.ReadTopic(kafka.Broker.BootstrapServers, topic, partitions);
        Assert.Equal(partitions * perPartition, seen.Count);
        for (var p = 0; p < partitions; p++)
        {
            var got = seen.Where(r => r.Partition == p).ToList();
            var expected = input[(topic, p)];
            Assert.Equal(expected.Count, got.Count);
            for (var i = 0; i < expected.Count; i++)
            {
                Assert.Equal(expected[i].Key, got[i].Key);
                Assert.Equal(expected[i].Value, got[i].Value);
                Assert.Equal(expected[i].Timestamp, got[i].Timestamp);
                Assert.Equal(expected[i].Offset, BitConverter.ToInt64(got[i].Headers.Single(h => h.Key == "x-original-offset").Value));
            }
        }
        Assert.Equal(Encoding.UTF8.GetBytes("source-cluster"), seen[0].Headers.Single(h => h.Key == "x-source-cluster").Value);
    }

    /// <summary>Kills the child process tree on dispose if it is still running.</summary>
    private sealed class ChildReaper(Process process) : IDisposable
    {
        public void Dispose()
        {
            if (process.HasExited) return;
            process.Kill(entireProcessTree: true);
            process.WaitForExit();
        }
    }
}
