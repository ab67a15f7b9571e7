using KafkaRestored.Restore.Backups.Kbak;
using KafkaRestored.Restore.Engine;
using KafkaRestored.Restore.Resources.Model;
using KafkaRestored.Restore.Secrets;
using KafkaRestored.TestSupport;

namespace KafkaRestored.Restore.Tests.Engine;

/// <summary>Cancellation, resuming from checkpoints, and brokers going away mid-restore: still every record exactly once, in order.</summary>
public sealed class RestoreResilienceTests(KafkaFixture kafka, Xunit.Abstractions.ITestOutputHelper log) : IClassFixture<KafkaFixture>, IDisposable
{
    private readonly EngineScenario _s = new(kafka.Broker);
    private readonly Stack<EngineScenario> _extra = new();

    public void Dispose()
    {
        _s.Dispose();
        while (_extra.TryPop(out var s)) s.Dispose();
    }

    private Task<Dictionary<(string, int), IReadOnlyList<BackupRecord>>> WriteBackupAsync(string topic, int partitions, int perPartition, int valuePadding = 0, int segmentRecords = 1000) =>
        WriteBackupAsync(_s, topic, partitions, perPartition, valuePadding, segmentRecords);

    private static async Task<Dictionary<(string, int), IReadOnlyList<BackupRecord>>> WriteBackupAsync(EngineScenario scenario, string topic, int partitions, int perPartition, int valuePadding = 0, int segmentRecords = 1000)
    {
        var input = new Dictionary<(string, int), IReadOnlyList<BackupRecord>>();
        var padding = new string('.', valuePadding);
        for (var p = 0; p < partitions; p++)
        {
            var partition = p;
            input[(topic, p)] = [.. Enumerable.Range(0, perPartition).Select(i =>
                RestoreKit.Record(i, 1_000_000 + i, $"k{partition}-{i}", $"value-{partition}-{i}{padding}"))];
        }
        await scenario.WriteBackupAsync(input, new Dictionary<string, int> { [topic] = partitions }, segmentRecords: segmentRecords);
        return input;
    }

    private void AssertExactlyOnce(string topic, int partitions, Dictionary<(string, int), IReadOnlyList<BackupRecord>> input)
    {
        var seen = RestoreKit.ReadTopic(kafka.Broker.BootstrapServers, topic, partitions);
        for (var p = 0; p < partitions; p++)
        {
            var expected = input[(topic, p)];
            var got = seen.Where(r => r.Partition == p).ToList();
            Assert.Equal(expected.Count, got.Count);
            Assert.Equal(expected.Select(r => r.Key), got.Select(r => r.Key));
            Assert.Equal(expected.Select(r => r.Value), got.Select(r => r.Value));
            Assert.Equal(expected.Select(r => r.Timestamp), got.Select(r => r.Timestamp));
        }
    }

    [Theory]
    [InlineData(RestoreProducerKind.Native)]
    [InlineData(RestoreProducerKind.Confluent)]
    public async Task Cancelling_stops_within_seconds_and_the_next_run_resumes_from_the_checkpointed_segment(RestoreProducerKind producer)
    {
        // 24 MB of backup against the 8 MiB memory floor: once a quarter is acknowledged, at most the producer queue
        // and the read-ahead (both bounded by the budget) can still land after the cancel, however fast the machine is.
        const int partitions = 8, perPartition = 10_000;
        const int total = partitions * perPartition;
        var topic = kafka.Broker.CreateUniqueTopic("cancel", partitions);
        var input = await WriteBackupAsync(topic, partitions, perPartition, valuePadding: 280);

        using var cts = new CancellationTokenSource();
        var cancelledAt = DateTime.MaxValue;
        var progress = new InlineProgress(u =>
        {
            if (u.Stage == RestoreStage.Restoring && u.Progress.RecordsDone > total / 4 && !cts.IsCancellationRequested)
            {
                cancelledAt = DateTime.UtcNow;
                cts.Cancel();
            }
        });
        // Progress every 10 ms: the cancel must follow the quarter closely. With the usual 100 ms, a loaded machine
        // delivered the first tick after the whole 24 MB had landed ("80000 of 80000 written", seen in one CI run).
        var cancelled = await _s.RunAsync(_s.Restore(s => s with { Resources = new ResourcesSpec(null, new ResourceQuantities(1000, RestoreBudget.MinimumMemoryBytes)) }),
            progress: progress, tuning: EngineScenario.FastTuning with { ProgressInterval = TimeSpan.FromMilliseconds(10), Producer = producer }, ct: cts.Token);
        var stoppedAfter = DateTime.UtcNow - cancelledAt;

        Assert.Equal((RestoreOutcome.Cancelled, RestoreResult.CancelledReason), (cancelled.Outcome, cancelled.Reason));
        Assert.True(stoppedAfter < TimeSpan.FromSeconds(5), $"took {stoppedAfter} to stop");
        var written = RestoreKit.EndOffsets(kafka.Broker.BootstrapServers, topic, partitions);
        Assert.True(written.Sum() < total, $"cancelled too late to test resuming: {written.Sum()} of {total} written");
        var checkpoints = _s.State.GetCheckpoints("default/restore");
        Assert.Equal(partitions, checkpoints.Count);
        Assert.Contains(checkpoints, c => c.RecordsConfirmed > 0 && c.ResumeSegmentStartOffset > 0);

        var logger = new ListLogger();
        var resumed = await EngineRuns.RunAsync(_s.Restore(), new RestoreEnvironment(new SecretStore(null), _s.State, "default/restore")
        {
            Tuning = EngineScenario.FastTuning with { Producer = producer },
            Logger = logger,
        }, null, CancellationToken.None);

        RestoreSelectionTests.AssertCompleted(resumed);
        Assert.Equal(total, resumed.RestoredRecords);
        Assert.Contains(logger.Lines, m => m.StartsWith("Resuming", StringComparison.Ordinal) && !m.EndsWith("offset " + long.MinValue, StringComparison.Ordinal));
        Assert.Contains(logger.Lines, m => m.StartsWith("Restore of backup", StringComparison.Ordinal)
            && m.EndsWith(producer == RestoreProducerKind.Native ? "producing through librdkafka's C API" : "producing through Confluent.Kafka's producer", StringComparison.Ordinal));
        AssertExactlyOnce(topic, partitions, input);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Records_written_by_someone_else_between_attempts_fail_the_resume_with_TargetModified(bool lookalike)
    {
        // 24 MB against the 8 MiB memory floor (as above), in segments of 100 records. Cancelling stops the workers at
        // once and flushes what they had enqueued, so each worker's current partition ends wherever it was cut: part-way,
        // unless both workers happened to stand exactly between two partitions (about 1 in 2,500).
        const int perPartition = 10_000;
        var (s, topic, ends, partial) = await CutPartWayAsync("foreign", perPartition);

        if (lookalike)
        {
            // The key and timestamp of the very record the resume would write next, with another value: only the value tells
            // it apart (mutation testing found that a check of key or timestamp alone passed the plain intruder's test).
            using var producer = new Confluent.Kafka.ProducerBuilder<string, string>(new Confluent.Kafka.ProducerConfig { BootstrapServers = kafka.Broker.BootstrapServers })
                .SetLogHandler((_, _) => { }).Build();
            await producer.ProduceAsync(new Confluent.Kafka.TopicPartition(topic, partial), new Confluent.Kafka.Message<string, string>
            {
                Key = $"k{partial}-{ends[partial]}",
                Value = "forged",
                Timestamp = new Confluent.Kafka.Timestamp(1_000_000 + ends[partial], Confluent.Kafka.TimestampType.CreateTime),
            });
        }
        else
        {
            Kcat.Produce(kafka.Broker.BootstrapServers, topic, partial, [("intruder", "x")]);
        }
        var resumed = await s.RunAsync(s.Restore());

        Assert.Equal((RestoreOutcome.Failed, "TargetModified"), (resumed.Outcome, resumed.Reason));
        Assert.Contains($"{topic}[{partial}]", resumed.Message, StringComparison.Ordinal);
        Assert.Contains($"offset {ends[partial]}", resumed.Message, StringComparison.Ordinal);
        Assert.Equal(ends[partial] + 1, RestoreKit.EndOffsets(kafka.Broker.BootstrapServers, topic, ends.Length)[partial]);
    }

    /// <summary>
    /// A first attempt over 8 partitions cut by a cancel at its first progress tick, in a scenario of its own, leaving at
    /// least one partition part-way. Progress comes every 10 ms so the cancel follows the first acknowledgement closely;
    /// under full-suite load on CI a 100 ms first tick once came after all 80,000 records had landed. Should a cut still
    /// land whole (the scenario's precondition, not what the test checks), it is tried again on a fresh topic, at most
    /// three times, and each miss is logged.
    /// </summary>
    private async Task<(EngineScenario Scenario, string Topic, long[] Ends, int Partial)> CutPartWayAsync(string name, int perPartition)
    {
        const int partitions = 8;
        for (var attempt = 1; ; attempt++)
        {
            var s = attempt == 1 ? _s : new EngineScenario(kafka.Broker);
            if (attempt > 1) _extra.Push(s);
            var topic = kafka.Broker.CreateUniqueTopic(name, partitions);
            await WriteBackupAsync(s, topic, partitions, perPartition, valuePadding: 280, segmentRecords: 100);
            using var cts = new CancellationTokenSource();
            var progress = new InlineProgress(u =>
            {
                if (u.Stage == RestoreStage.Restoring && u.Progress.RecordsDone > 0) cts.Cancel();
            });
            var first = await s.RunAsync(s.Restore(x => x with { Resources = new ResourcesSpec(null, new ResourceQuantities(2000, RestoreBudget.MinimumMemoryBytes)) }),
                progress: progress, tuning: EngineScenario.FastTuning with { ProgressInterval = TimeSpan.FromMilliseconds(10) }, ct: cts.Token);
            var ends = RestoreKit.EndOffsets(kafka.Broker.BootstrapServers, topic, partitions);
            var partial = Array.FindIndex(ends, e => e > 0 && e < perPartition);
            Assert.True(first.Outcome is RestoreOutcome.Cancelled or RestoreOutcome.Completed, $"the first attempt ended {first.Outcome} {first.Reason}: {first.Message}");
            if (first.Outcome == RestoreOutcome.Cancelled && partial >= 0) return (s, topic, ends, partial);
            log.WriteLine($"attempt {attempt}: {first.Outcome} {first.Reason}, no partition left part-way: {string.Join(",", ends)}");
            Assert.True(attempt < 3, $"three cancelled first attempts left no partition part-way (last: {first.Outcome}, {string.Join(",", ends)})");
        }
    }

    [Fact]
    public async Task Every_broker_going_down_mid_restore_and_coming_back_still_gives_every_record_exactly_once()
    {
        // As above: 18 MB against the 8 MiB budget, so taking the brokers down at a quarter leaves most of it unsent.
        const int partitions = 6, perPartition = 10_000;
        const int total = partitions * perPartition;
        var topic = kafka.Broker.CreateUniqueTopic("brokerdown", partitions);
        var input = await WriteBackupAsync(topic, partitions, perPartition, valuePadding: 280);

        var down = new TaskCompletionSource();
        var progress = new InlineProgress(u =>
        {
            if (u.Stage == RestoreStage.Restoring && u.Progress.RecordsDone > total / 4) down.TrySetResult();
        });
        var logger = new ListLogger();
        var run = EngineRuns.RunAsync(_s.Restore(s => s with { Resources = new ResourcesSpec(null, new ResourceQuantities(1000, RestoreBudget.MinimumMemoryBytes)) }),
            // Progress every 10 ms, as in the cancel test above: the brokers must go down soon after the quarter.
            new RestoreEnvironment(new SecretStore(null), _s.State, "default/restore") { Tuning = EngineScenario.FastTuning with { ProgressInterval = TimeSpan.FromMilliseconds(10) }, Logger = logger },
            progress, CancellationToken.None);
        await Task.WhenAny(down.Task, run);
        Assert.False(run.IsCompleted, "the restore finished before a quarter of it was reported");
        for (var id = 1; id <= kafka.Broker.BrokerCount; id++) kafka.Broker.BrokerDown(id);
        try
        {
            await Task.Delay(3000);
            Assert.False(run.IsCompleted, "the restore finished while every broker was down");
        }
        finally
        {
            for (var id = 1; id <= kafka.Broker.BrokerCount; id++) kafka.Broker.BrokerUp(id);
        }
        var result = await run.WaitAsync(TimeSpan.FromMinutes(2));
        foreach (var m in logger.Lines) log.WriteLine(m);

        // librdkafka's mock checks producer sequence numbers only for transactional producers: a batch
        // whose response was lost when the brokers went down is appended again when the producer retries
        // it (MockIdempotenceTests). A real broker drops that retry as a duplicate. What the engine must do
        // either way: never report such a target as Completed, and never lose or reorder a record.
        var reappended = MockReappendedRecords(topic, partitions, input);
        if (reappended > 0)
        {
            log.WriteLine($"the mock re-appended {reappended} records of retried batches; the engine reported {result.Outcome} {result.Reason}");
            Assert.Equal((RestoreOutcome.Failed, "VerificationFailed"), (result.Outcome, result.Reason));
            return;
        }
        RestoreSelectionTests.AssertCompleted(result);
        Assert.Equal(total, result.RestoredRecords);
        AssertExactlyOnce(topic, partitions, input);
    }

    /// <summary>
    /// Records the target holds twice because the mock appended a retried batch again; asserts that,
    /// those aside, every partition holds every record once and in order (keys are unique per partition).
    /// </summary>
    private int MockReappendedRecords(string topic, int partitions, Dictionary<(string, int), IReadOnlyList<BackupRecord>> input)
    {
        var seen = RestoreKit.ReadTopic(kafka.Broker.BootstrapServers, topic, partitions);
        var extra = 0;
        for (var p = 0; p < partitions; p++)
        {
            var got = seen.Where(r => r.Partition == p).ToList();
            var firsts = new HashSet<string>();
            var kept = got.Where(r => firsts.Add(Convert.ToHexString(r.Key!))).ToList();
            Assert.Equal(input[(topic, p)].Select(r => r.Key), kept.Select(r => r.Key));
            extra += got.Count - kept.Count;
        }
        return extra;
    }

    /// <summary>Runs the callback on the reporting thread (Progress&lt;T&gt; would post to the thread pool).</summary>
    private sealed class InlineProgress(Action<RestoreProgressUpdate> report) : IProgress<RestoreProgressUpdate>
    {
        public void Report(RestoreProgressUpdate value) => report(value);
    }
}
