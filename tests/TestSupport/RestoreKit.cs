using System.Text;
using Confluent.Kafka;
using Confluent.Kafka.Admin;
using KafkaRestored.Restore.Backups;
using KafkaRestored.Restore.Backups.Kbak;
using KafkaRestored.Restore.Backups.Writing;
using KafkaRestored.Restore.Resources.Model;
using KafkaRestored.Restore.Storage;

namespace KafkaRestored.TestSupport;

/// <summary>One record as a Confluent consumer read it back from the target, bytes intact.</summary>
public sealed record ConsumedRecord(int Partition, long Offset, long Timestamp, TimestampType TimestampType,
    byte[]? Key, byte[]? Value, IReadOnlyList<(string Key, byte[]? Value)> Headers);

/// <summary>Builds backups and KafkaRestore resources for restore tests, and reads targets back.</summary>
public static class RestoreKit
{
    /// <summary>A KafkaRestore of <paramref name="backupId"/> into the cluster at <paramref name="bootstrap"/>, edited by <paramref name="edit"/>.</summary>
    public static KafkaRestore Restore(string backupId, string bootstrap, StorageSpec storage,
        Func<KafkaRestoreSpec, KafkaRestoreSpec>? edit = null, string name = "restore")
    {
        var spec = new KafkaRestoreSpec(
            backupId,
            new KafkaClusterSpec(new ValueList<string>(bootstrap.Split(',')), KafkaRestored.Restore.Resources.Model.SecurityProtocol.Plaintext, null, null, null),
            storage,
            Topics: null,
            TopicMapping: ValueMap.Empty,
            Pitr: null,
            IncludeOriginalOffsetHeader: false,
            OffsetReset: null,
            Rollback: null,
            Resources: null,
            Job: JobSpec.Default,
            PodTemplate: null,
            OnExistingData: OnExistingData.Fail);
        return new KafkaRestore(new ObjectMeta(name, ObjectMeta.DefaultNamespace, ValueMap.Empty, ValueMap.Empty), edit?.Invoke(spec) ?? spec);
    }

    /// <summary>storage: filesystem at <paramref name="path"/>.</summary>
    public static StorageSpec Filesystem(string path) => new(StorageType.Filesystem, null, new FilesystemStorageSpec(path));

    /// <summary>A record with printable key and value (kcat-friendly) and optional headers.</summary>
    public static BackupRecord Record(long offset, long timestamp, string? key, string? value, params BackupHeader[] headers) => new()
    {
        Offset = offset,
        Timestamp = timestamp,
        Key = key is null ? null : Encoding.UTF8.GetBytes(key),
        Value = value is null ? null : Encoding.UTF8.GetBytes(value),
        Headers = headers,
    };

    /// <summary>
    /// Writes a backup: records per (topic, partition) in offset order, segments rotated every
    /// <paramref name="segmentRecords"/> records, topics declared with <paramref name="partitionCounts"/>.
    /// </summary>
    public static async Task<BackupManifest> WriteBackupAsync(IBackupStorage storage, string backupId,
        IReadOnlyDictionary<(string Topic, int Partition), IReadOnlyList<BackupRecord>> records,
        IReadOnlyDictionary<string, int> partitionCounts,
        string? sourceClusterId = "source-cluster",
        IReadOnlyDictionary<(string Topic, int Partition), IReadOnlyList<BackupGap>>? gaps = null,
        long segmentRecords = 1000,
        BackupCompression compression = BackupCompression.Zstd)
    {
        await using var writer = new BackupWriter(storage, backupId, compression, new BackupWriterOptions { MaxSegmentRecords = segmentRecords });
        foreach (var ((topic, partition), list) in records)
        {
            foreach (var r in list) await writer.AppendAsync(topic, partition, r, CancellationToken.None);
        }
        return await writer.CompleteAsync(partitionCounts, sourceClusterId, ["source-0:9092"], null, gaps, CancellationToken.None);
    }

    /// <summary>Reads every record of every partition of a topic from the beginning to its end offset.</summary>
    public static IReadOnlyList<ConsumedRecord> ReadTopic(string bootstrap, string topic, int partitions)
    {
        using var consumer = new ConsumerBuilder<byte[]?, byte[]?>(new ConsumerConfig
        {
            BootstrapServers = bootstrap,
            GroupId = "restore-kit-" + Guid.NewGuid().ToString("N"),
            EnableAutoCommit = false,
            EnablePartitionEof = true,
        }).SetLogHandler((_, _) => { }).Build();
        var result = new List<ConsumedRecord>();
        for (var p = 0; p < partitions; p++)
        {
            var tp = new TopicPartition(topic, p);
            var marks = consumer.QueryWatermarkOffsets(tp, TimeSpan.FromSeconds(20));
            if (marks.High.Value <= marks.Low.Value) continue;
            consumer.Assign(new TopicPartitionOffset(tp, marks.Low));
            var deadline = DateTime.UtcNow.AddSeconds(60);
            while (DateTime.UtcNow < deadline)
            {
                var cr = consumer.Consume(TimeSpan.FromSeconds(5));
                if (cr is null) continue;
                if (cr.IsPartitionEOF)
                {
                    if (cr.Offset.Value >= marks.High.Value) break;
                    continue;
                }
                result.Add(new ConsumedRecord(cr.Partition.Value, cr.Offset.Value, cr.Message.Timestamp.UnixTimestampMs,
                    cr.Message.Timestamp.Type, cr.Message.Key, cr.Message.Value,
                    cr.Message.Headers?.Select(h => (h.Key, (byte[]?)h.GetValueBytes())).ToList() ?? []));
                if (cr.Offset.Value + 1 >= marks.High.Value) break;
            }
            consumer.Unassign();
        }
        return result;
    }

    /// <summary>End offset (high watermark) of every partition of a topic.</summary>
    public static long[] EndOffsets(string bootstrap, string topic, int partitions) =>
        EndOffsets(new ClientConfig { BootstrapServers = bootstrap }, topic, partitions);

    /// <summary>End offset of every partition of a topic, with the given client settings (e.g. TLS).</summary>
    public static long[] EndOffsets(ClientConfig client, string topic, int partitions)
    {
        using var consumer = new ConsumerBuilder<byte[]?, byte[]?>(new ConsumerConfig(client)
        {
            GroupId = "restore-kit-" + Guid.NewGuid().ToString("N"),
        }).SetLogHandler((_, _) => { }).Build();
        return [.. Enumerable.Range(0, partitions).Select(p =>
            consumer.QueryWatermarkOffsets(new TopicPartition(topic, p), TimeSpan.FromSeconds(20)).High.Value)];
    }

    /// <summary>Sum of the end offsets of a topic, in one ListOffsets round trip per broker.</summary>
    public static async Task<long> LandedAsync(IAdminClient admin, string topic, int partitions)
    {
        var result = await admin.ListOffsetsAsync(
            Enumerable.Range(0, partitions).Select(p => new TopicPartitionOffsetSpec { TopicPartition = new TopicPartition(topic, p), OffsetSpec = OffsetSpec.Latest() }),
            new ListOffsetsOptions { RequestTimeout = TimeSpan.FromSeconds(30) });
        return result.ResultInfos.Sum(r => r.TopicPartitionOffsetError.Offset.Value);
    }
}
