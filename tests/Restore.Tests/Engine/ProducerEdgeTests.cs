using KafkaRestored.Restore.Backups.Kbak;
using KafkaRestored.Restore.Engine;
using KafkaRestored.TestSupport;

namespace KafkaRestored.Restore.Tests.Engine;

/// <summary>
/// The edges of producing: a record the producer refuses as it is enqueued (both producers fail the restore the same
/// way, naming the record), and header names past the native producer's name cache.
/// </summary>
public sealed class ProducerEdgeTests(KafkaFixture kafka) : IClassFixture<KafkaFixture>, IDisposable
{
    private readonly EngineScenario _s = new(kafka.Broker);

    public void Dispose() => _s.Dispose();

    [Theory]
    [InlineData(RestoreProducerKind.Native)]
    [InlineData(RestoreProducerKind.Confluent)]
    public async Task A_record_over_the_producers_message_max_bytes_fails_RecordTooLarge_naming_its_source_offset(RestoreProducerKind producer)
    {
        // The restore decodes records up to 1 MiB at least; librdkafka's message.max.bytes is 1,000,000 by default, so a
        // 1,010,000-byte value is read but refused when it is enqueued.
        var topic = kafka.Broker.CreateUniqueTopic("refused", 1);
        List<BackupRecord> records =
        [
            RestoreKit.Record(0, 1, "k0", "small"),
            new() { Offset = 1, Timestamp = 2, Key = "k1"u8.ToArray(), Value = new byte[1_010_000] },
            RestoreKit.Record(2, 3, "k2", "small"),
        ];
        await _s.WriteBackupAsync(new Dictionary<(string, int), IReadOnlyList<BackupRecord>> { [(topic, 0)] = records },
            new Dictionary<string, int> { [topic] = 1 });

        var result = await _s.RunAsync(_s.Restore(), tuning: EngineScenario.FastTuning with { Producer = producer });

        Assert.Equal((RestoreOutcome.Failed, "RecordTooLarge"), (result.Outcome, result.Reason));
        Assert.Contains($"cannot write record at source offset 1 of {topic}[0] to {topic}[0]", result.Message, StringComparison.Ordinal);
        Assert.Contains("raise the target topic's max.message.bytes", result.Message, StringComparison.Ordinal);
        // Nothing after the refused record was written; the one before it may have been.
        Assert.True(RestoreKit.EndOffsets(kafka.Broker.BootstrapServers, topic, 1)[0] <= 1);
    }

    [Fact]
    public async Task Header_names_beyond_the_native_producers_name_cache_come_back_exact()
    {
        // 3,000 records, each with a header name of its own (a hostile backup could do this to grow a cache): the first
        // 1,024 names are cached, the rest encoded per record; all must arrive as written, with the shared name too.
        var topic = kafka.Broker.CreateUniqueTopic("names", 1);
        List<BackupRecord> records = [.. Enumerable.Range(0, 3000).Select(i => new BackupRecord
        {
            Offset = i,
            Timestamp = 1000 + i,
            Key = System.Text.Encoding.UTF8.GetBytes($"k{i}"),
            Value = System.Text.Encoding.UTF8.GetBytes($"v{i}"),
            Headers = [new($"name-{i}-\u00e9", [(byte)(i % 251)]), new("shared", [(byte)(i % 7)])],
        })];
        await _s.WriteBackupAsync(new Dictionary<(string, int), IReadOnlyList<BackupRecord>> { [(topic, 0)] = records },
            new Dictionary<string, int> { [topic] = 1 });

        var result = await _s.RunAsync(_s.Restore(), tuning: EngineScenario.FastTuning with { Producer = RestoreProducerKind.Native });

        RestoreSelectionTests.AssertCompleted(result);
        var seen = RestoreKit.ReadTopic(kafka.Broker.BootstrapServers, topic, 1);
        Assert.Equal(records.Count, seen.Count);
        for (var i = 0; i < records.Count; i++)
            Assert.Equal(records[i].Headers.Select(h => (h.Key, h.Value)), seen[i].Headers);
    }

    [Theory]
    [InlineData(RestoreProducerKind.Native)]
    [InlineData(RestoreProducerKind.Confluent)]
    public async Task A_record_stamped_0_comes_back_with_the_restores_time_and_the_status_and_the_log_say_so(RestoreProducerKind producer)
    {
        // librdkafka reads a timestamp of 0 as "none given" and stamps the current time (docs/restore-engine.md, "Producer").
        // The record beside it, stamped 1, shows every other timestamp is kept.
        var topic = kafka.Broker.CreateUniqueTopic("epoch", 1);
        await _s.WriteBackupAsync(new Dictionary<(string, int), IReadOnlyList<BackupRecord>>
        {
            [(topic, 0)] = [RestoreKit.Record(0, 0, "k0", "v0"), RestoreKit.Record(1, 1, "k1", "v1")],
        }, new Dictionary<string, int> { [topic] = 1 });
        var before = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();

        var logger = new ListLogger();
        var result = await EngineRuns.RunAsync(_s.Restore(), new RestoreEnvironment(new KafkaRestored.Restore.Secrets.SecretStore(null), _s.State, "default/restore")
        {
            Tuning = EngineScenario.FastTuning with { Producer = producer },
            Logger = logger,
        }, null, CancellationToken.None);

        RestoreSelectionTests.AssertCompleted(result);
        // The status says so, and the log names the record.
        Assert.EndsWith("; records stamped 0 in the backup were written with the time of the restore (librdkafka cannot send a timestamp of 0; the log names the first of each partition)", result.Message, StringComparison.Ordinal);
        Assert.Contains(logger.Lines, l => l.StartsWith($"Backup record {topic}[0] offset 0 has timestamp 0", StringComparison.Ordinal));
        var seen = RestoreKit.ReadTopic(kafka.Broker.BootstrapServers, topic, 1);
        Assert.InRange(seen[0].Timestamp, before, DateTimeOffset.UtcNow.ToUnixTimeMilliseconds());
        Assert.Equal(1, seen[1].Timestamp);
    }
}
