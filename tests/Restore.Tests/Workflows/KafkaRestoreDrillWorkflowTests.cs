using System.Text;
using KafkaRestored.Restore.Backups;
using KafkaRestored.Restore.Backups.Kbak;
using KafkaRestored.Restore.Engine;
using KafkaRestored.Restore.Failures;
using KafkaRestored.Restore.Resources.Model;
using KafkaRestored.Restore.Secrets;
using KafkaRestored.Restore.Tests.Engine;
using KafkaRestored.Restore.Workflows;
using KafkaRestored.TestSupport;

namespace KafkaRestored.Restore.Tests.Workflows;

/// <summary>KafkaRestoreDrill runs against the mock broker with real folder and s3rver backups, checked with an independent reader.</summary>
public sealed class KafkaRestoreDrillWorkflowTests(KafkaFixture kafka, S3rverFixture s3) : IClassFixture<KafkaFixture>, IClassFixture<S3rverFixture>, IDisposable
{
    private const int Partitions = 3;
    private readonly EngineScenario _s = new(kafka.Broker);

    public void Dispose() => _s.Dispose();

    /// <summary>A backup of a uniquely named topic (null keys, empty values and headers among its records); the scratch topic drill-&lt;topic&gt; is created on the broker.</summary>
    private async Task<(string Topic, Dictionary<(string, int), IReadOnlyList<BackupRecord>> Records, BackupManifest Manifest)> BackupAsync(
        int perPartition = 700, BackupCompression compression = BackupCompression.Zstd)
    {
        var topic = "orders-" + Guid.NewGuid().ToString("N")[..8];
        var records = new Dictionary<(string, int), IReadOnlyList<BackupRecord>>();
        for (var p = 0; p < Partitions; p++)
        {
            var partition = p;
            records[(topic, p)] = [.. Enumerable.Range(0, perPartition).Select(i => RestoreKit.Record(i, 1_700_000_000_000 + (i * 1000L), i % 7 == 0 ? null : $"k-{partition}-{i}",
                i % 11 == 0 ? "" : $"v-{partition}-{i}", new BackupHeader("trace", Encoding.UTF8.GetBytes($"t{i}")), new BackupHeader("empty", null)))];
        }
        var manifest = await RestoreKit.WriteBackupAsync(_s.Storage, _s.BackupId, records, new Dictionary<string, int> { [topic] = Partitions },
            segmentRecords: 250, compression: compression);
        kafka.Broker.CreateTopic("drill-" + topic, Partitions);
        return (topic, records, manifest);
    }

    private KafkaRestoreDrill Drill(DrillObjectives? objectives = null, BackupRef? backupRef = null) =>
        new(new ObjectMeta("weekly", "default", ValueMap.Empty, ValueMap.Empty),
            new KafkaRestoreDrillSpec("0 3 * * 0", backupRef is null ? _s.BackupId : null, backupRef is null ? _s.StorageSpec ?? RestoreKit.Filesystem(_s.Path("backups")) : null,
                backupRef, new KafkaClusterSpec(new ValueList<string>(kafka.Broker.BootstrapServers.Split(',')), SecurityProtocol.Plaintext, null, null, null),
                "drill-", null, objectives ?? DrillObjectives.None));

    private Task<KafkaRestoreDrillRun> RunAsync(KafkaRestoreDrill drill) =>
        new KafkaRestoreDrillWorkflow(new RestoreEnvironment(new SecretStore(_s.SecretsDir), _s.State, "drill/default/weekly") { Tuning = EngineScenario.FastTuning },
            new DrillScratchLedger(_s.State, "drill/default/weekly-scratch")).RunAsync(drill, CancellationToken.None);

    [Theory]
    [InlineData(BackupBackend.Filesystem)]
    [InlineData(BackupBackend.S3)]
    public async Task A_drill_of_a_good_backup_passes_with_exact_counts_and_checksums_of_what_an_independent_reader_sees(BackupBackend backend)
    {
        await _s.UseAsync(backend, s3);
        var (topic, records, _) = await BackupAsync();
        kafka.Broker.CreateTopic(topic, Partitions); // the source topic exists too: the drill must leave it alone

        var run = await RunAsync(Drill(new DrillObjectives(TimeSpan.FromHours(1), null)));

        Assert.True(run.Passed, run.Report.Message);
        Assert.Equal(KafkaRestoreDrillRun.PassedReason, run.Report.Reason);
        Assert.Equal(Partitions * 700, run.Report.RecordsVerified);
        Assert.Equal(0, run.Report.Mismatches);
        Assert.Equal(["drill-" + topic], run.Report.ScratchTopics);
        Assert.True(run.Report.RtoMet);
        Assert.Null(run.Report.RpoMet);
        Assert.NotNull(run.Report.RestoreSeconds);
        var newest = DateTimeOffset.FromUnixTimeMilliseconds(1_700_000_000_000 + (699 * 1000L));
        Assert.Equal(Math.Round((run.Report.StartTime - newest).TotalSeconds, 3), run.Report.DataAgeSeconds);
        Assert.Contains("2,100 records verified in 3 partitions (count and checksum)", run.Report.Message, StringComparison.Ordinal);
        // The mock broker cannot create topics, so the scratch topic was made beforehand: the drill keeps it and says so.
        Assert.Equal("nothing to delete: the drill created no scratch topic (those that existed before it are kept)", run.Report.Cleanup);

        // What the drill claims is what another reader finds: every record, in order, into drill-<topic> and nowhere else.
        var read = RestoreKit.ReadTopic(kafka.Broker.BootstrapServers, "drill-" + topic, Partitions);
        for (var p = 0; p < Partitions; p++)
        {
            var got = read.Where(r => r.Partition == p).ToList();
            Assert.Equal(records[(topic, p)].Select(r => (r.Timestamp, r.Key, r.Value)), got.Select(r => (r.Timestamp, r.Key, r.Value)));
        }
        Assert.All(RestoreKit.EndOffsets(kafka.Broker.BootstrapServers, topic, Partitions), end => Assert.Equal(0, end));
    }

    [Fact]
    public async Task A_second_drill_appends_to_left_over_scratch_data_and_verifies_only_its_own_records()
    {
        var (topic, _, _) = await BackupAsync(perPartition: 300);
        var first = await RunAsync(Drill());
        Assert.True(first.Passed, first.Report.Message);

        var second = await RunAsync(Drill());

        Assert.True(second.Passed, second.Report.Message);
        Assert.Equal(Partitions * 300, second.Report.RecordsVerified);
        Assert.All(RestoreKit.EndOffsets(kafka.Broker.BootstrapServers, "drill-" + topic, Partitions), end => Assert.Equal(600, end));
    }

    [Fact]
    public async Task A_scratch_topic_holding_records_the_drill_did_not_write_is_refused_naming_it_and_nothing_is_written()
    {
        var (topic, _, _) = await BackupAsync(perPartition: 300);
        // Someone's records in drill-<topic>[1]: the topic exists, as the drill's would, but no run of this drill wrote them.
        Kcat.Produce(kafka.Broker.BootstrapServers, "drill-" + topic, 1, [("theirs", "1"), ("theirs", "2")]);

        var run = await RunAsync(Drill());

        Assert.False(run.Passed);
        Assert.Same(FailureReason.ScratchTopicInUse, run.Failure);
        Assert.Contains($"drill-{topic}[1] ends at offset 2", run.Report.Message, StringComparison.Ordinal);
        Assert.Contains("spec.topicPrefix", run.Report.Message, StringComparison.Ordinal);
        Assert.Equal([0, 2, 0], RestoreKit.EndOffsets(kafka.Broker.BootstrapServers, "drill-" + topic, Partitions));

        // The remedy the message names, as the control: another prefix, whose (empty) scratch topic was made for the drill, writes and passes.
        kafka.Broker.CreateTopic("drill2-" + topic, Partitions);
        var elsewhere = Drill();
        var passed = await RunAsync(elsewhere with { Spec = elsewhere.Spec with { TopicPrefix = "drill2-" } });
        Assert.True(passed.Passed, passed.Report.Message);
        Assert.All(RestoreKit.EndOffsets(kafka.Broker.BootstrapServers, "drill2-" + topic, Partitions), end => Assert.Equal(300, end));
        Assert.Equal([0, 2, 0], RestoreKit.EndOffsets(kafka.Broker.BootstrapServers, "drill-" + topic, Partitions));
    }

    [Fact]
    public async Task A_drill_of_a_backup_with_one_corrupted_segment_fails_naming_the_segment_and_writes_nothing()
    {
        var (topic, _, manifest) = await BackupAsync(compression: BackupCompression.None);
        var segment = manifest.Topics.Single().Partitions.Single(p => p.PartitionId == 1).Segments[1];
        var path = _s.Path("backups", segment.Key);
        var bytes = await File.ReadAllBytesAsync(path);
        bytes[bytes.Length / 2] ^= 0x5A;
        await File.WriteAllBytesAsync(path, bytes);

        var run = await RunAsync(Drill());

        Assert.False(run.Passed);
        Assert.Same(FailureReason.CorruptSegment, run.Failure);
        Assert.Equal("Failed", run.Report.Result);
        Assert.Equal("CorruptSegment", run.Report.Reason);
        Assert.Contains(segment.Key, run.Report.Message, StringComparison.Ordinal);
        Assert.All(RestoreKit.EndOffsets(kafka.Broker.BootstrapServers, "drill-" + topic, Partitions), end => Assert.Equal(0, end));
    }

    [Fact]
    public async Task An_rto_below_the_measured_restore_time_fails_with_RtoMissed_and_both_numbers_while_a_generous_one_passes()
    {
        var (topic, _, _) = await BackupAsync(perPartition: 200);
        // Every request to the broker takes at least this long, and a restore makes more than four in a row
        // (topic metadata, start offsets, end offsets, produce, verification): it lasts over 2s on any machine.
        kafka.Broker.SetRtt(500);
        try
        {
            var missed = await RunAsync(Drill(new DrillObjectives(TimeSpan.FromSeconds(1), null)));

            Assert.Same(FailureReason.RtoMissed, missed.Failure);
            Assert.Equal("RtoMissed", missed.Report.Reason);
            Assert.False(missed.Report.RtoMet);
            var seconds = missed.Report.RestoreSeconds!.Value;
            Assert.True(seconds > 1, $"restore took {seconds}s");
            Assert.Contains($"the restore took {seconds.ToString("0.###", System.Globalization.CultureInfo.InvariantCulture)}s, longer than objectives.rto 1s", missed.Report.Message, StringComparison.Ordinal);
            // The records were still verified: a missed objective is about time, not content.
            Assert.Equal(Partitions * 200, missed.Report.RecordsVerified);

            // Positive control: the same slow restore under a generous objective passes.
            var met = await RunAsync(Drill(new DrillObjectives(TimeSpan.FromHours(1), null)));
            Assert.True(met.Passed, met.Report.Message);
            Assert.True(met.Report.RtoMet);
        }
        finally
        {
            kafka.Broker.SetRtt(0);
        }
        Assert.All(RestoreKit.EndOffsets(kafka.Broker.BootstrapServers, "drill-" + topic, Partitions), end => Assert.Equal(400, end));
    }

    [Fact]
    public async Task Data_older_than_the_rpo_fails_with_RpoMissed_and_its_age()
    {
        await BackupAsync(perPartition: 50);

        var run = await RunAsync(Drill(new DrillObjectives(null, TimeSpan.FromDays(7))));

        Assert.Same(FailureReason.RpoMissed, run.Failure);
        Assert.False(run.Report.RpoMet);
        Assert.Null(run.Report.RtoMet);
        Assert.Contains("older than objectives.rpo 7d", run.Report.Message, StringComparison.Ordinal);
        Assert.Equal(Partitions * 50, run.Report.RecordsVerified);
    }

    [Fact]
    public async Task A_drill_naming_a_KafkaBackup_without_a_repository_fails_with_BackupRefUnresolved_before_reading_anything()
    {
        var run = await RunAsync(Drill(backupRef: new BackupRef("nightly", "default")));

        Assert.Same(FailureReason.BackupRefUnresolved, run.Failure);
        Assert.Contains("KafkaBackup default/nightly", run.Report.Message, StringComparison.Ordinal);
        Assert.Contains("only the daemon resolves", run.Report.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_cluster_that_does_not_delete_topics_is_reported_not_hidden()
    {
        // The mock broker times out on DeleteTopics, as a cluster with delete.topic.enable=false or no ACL refuses it.
        var topic = kafka.Broker.CreateUniqueTopic("left-over", 1);
        using var scratch = new DrillScratchCluster(new Confluent.Kafka.ClientConfig { BootstrapServers = kafka.Broker.BootstrapServers },
            kafka.Broker.BootstrapServers, TimeSpan.FromSeconds(2));
        Assert.Contains(topic, scratch.ExistingTopics());

        var note = await scratch.DeleteAsync([topic], CancellationToken.None);

        Assert.StartsWith($"NOT deleted: {topic} (the cluster refused or did not answer DeleteTopics: ", note, StringComparison.Ordinal);
        Assert.EndsWith("; delete them by hand", note, StringComparison.Ordinal);
        Assert.Contains(topic, scratch.ExistingTopics());
    }

    [Fact]
    public void The_checksum_tells_null_from_empty_and_sees_header_order_and_timestamps()
    {
        static string Hex(Action<DrillChecksum> add)
        {
            using var sum = new DrillChecksum();
            add(sum);
            return sum.Hex;
        }
        byte[] a = [1], b = [2];
        var baseline = Hex(s => s.Add(1, a, b, [("h1", a), ("h2", b)]));
        Assert.Equal(baseline, Hex(s => s.Add(1, a, b, [("h1", a), ("h2", b)])));
        Assert.NotEqual(baseline, Hex(s => s.Add(1, a, b, [("h2", b), ("h1", a)])));
        Assert.NotEqual(baseline, Hex(s => s.Add(2, a, b, [("h1", a), ("h2", b)])));
        Assert.NotEqual(Hex(s => s.Add(1, null, b, [])), Hex(s => s.Add(1, [], b, [])));
        Assert.NotEqual(Hex(s => s.Add(1, a, b, [("h", null)])), Hex(s => s.Add(1, a, b, [("h", [])])));
    }
}
