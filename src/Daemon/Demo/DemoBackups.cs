using System.Text;
using KafkaRestored.Restore.Backups;
using KafkaRestored.Restore.Backups.Kbak;
using KafkaRestored.Restore.Backups.Writing;
using KafkaRestored.Restore.Storage;

namespace KafkaRestored.Daemon.Demo;

/// <summary>
/// Writes the demo's sample backups with the product's own backup writer: topics "orders" and
/// "payments", two hours of records on 2024-12-01 (so the PITR example cuts some), and a
/// consumer-group snapshot for the headerBased offset reset examples.
/// </summary>
public static class DemoBackups
{
    /// <summary>Topics every demo backup holds.</summary>
    public static IReadOnlyList<string> Topics { get; } = ["orders", "payments"];

    /// <summary>Partitions per topic.</summary>
    public const int Partitions = 3;

    /// <summary>Source cluster id written into the manifests.</summary>
    public const string SourceClusterId = "production-us-west-2";

    private static readonly DateTimeOffset Start = new(2024, 12, 1, 10, 0, 0, TimeSpan.Zero);

    /// <summary>The key of record <paramref name="i"/> of partition <paramref name="partition"/> of <paramref name="topic"/>, e.g. order-0-000042.</summary>
    public static string Key(string topic, int partition, int i) => $"{(topic == "orders" ? "order" : "payment")}-{partition}-{i:D6}";

    /// <summary>The JSON value of record <paramref name="i"/> with key <paramref name="key"/>.</summary>
    public static string Value(string key, int i) => $"{{\"id\":\"{key}\",\"amount\":{(i * 37 % 1000) + 1},\"currency\":\"EUR\"}}";

    /// <summary>Writes one backup per id under <paramref name="root"/>; returns records per backup.</summary>
    public static async Task<long> WriteAsync(string root, IEnumerable<string> backupIds, IReadOnlyCollection<string> groups, int recordsPerPartition, CancellationToken ct)
    {
        var storage = new FilesystemBackupStorage(root);
        long perBackup = 0;
        foreach (var id in backupIds)
        {
            await using var writer = new BackupWriter(storage, id, BackupCompression.Zstd);
            var span = TimeSpan.FromHours(2).TotalMilliseconds;
            foreach (var topic in Topics)
            {
                for (var p = 0; p < Partitions; p++)
                {
                    for (var i = 0; i < recordsPerPartition; i++)
                    {
                        var ts = Start.AddMilliseconds(span * i / recordsPerPartition).ToUnixTimeMilliseconds();
                        var key = Key(topic, p, i);
                        await writer.AppendAsync(topic, p, new BackupRecord
                        {
                            Offset = i,
                            Timestamp = ts,
                            Key = Encoding.UTF8.GetBytes(key),
                            Value = Encoding.UTF8.GetBytes(Value(key, i)),
                            Headers = [new BackupHeader("content-type", "application/json"u8.ToArray())],
                        }, ct);
                    }
                }
            }
            // Each group had consumed about two thirds of every partition when the backup ran.
            var snapshot = new ConsumerGroupSnapshot(
                Start.AddHours(2).ToUnixTimeMilliseconds(),
                [.. groups.Select((g, n) => new GroupOffsets(g, Topics.ToDictionary(
                    t => t,
                    t => (IReadOnlyDictionary<string, long>)Enumerable.Range(0, Partitions).ToDictionary(
                        p => p.ToString(System.Globalization.CultureInfo.InvariantCulture),
                        p => (long)(recordsPerPartition * (60 + (n * 7) + p) / 100)))))]);
            await writer.CompleteAsync(
                Topics.ToDictionary(t => t, _ => Partitions),
                SourceClusterId,
                ["kafka-0.production:9092"],
                snapshot,
                gaps: null,
                ct);
            perBackup = writer.RecordCount;
        }
        return perBackup;
    }
}
