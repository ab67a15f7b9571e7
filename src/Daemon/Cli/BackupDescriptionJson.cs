using System.Text.Json.Nodes;
using KafkaRestored.Restore.Backups;
using KafkaRestored.Restore.Storage;

namespace KafkaRestored.Daemon.Cli;

/// <summary>The BackupDescription document of <c>backup describe --output json</c>: what the text form shows, times as Unix milliseconds.</summary>
internal static class BackupDescriptionJson
{
    /// <summary>Prints the document; <paramref name="verification"/> is null without --verify, else the problems found (empty: verified).</summary>
    public static void Write(TextWriter output, IBackupStorage storage, BackupStatistics s, IReadOnlyList<VerificationProblem>? verification, int segments)
    {
        var m = s.Manifest;
        JsonOutput.Write(output, "BackupDescription", new JsonObject
        {
            ["backupId"] = m.BackupId,
            ["location"] = storage.Describe(m.BackupId + "/"),
            ["createdAt"] = m.CreatedAt,
            ["source"] = new JsonObject { ["clusterId"] = m.SourceClusterId, ["brokers"] = JsonOutput.Strings(m.SourceBrokers) },
            ["compression"] = m.Compression,
            ["records"] = s.Records,
            ["segments"] = segments,
            ["storedBytes"] = s.StoredBytes,
            ["uncompressedBytes"] = s.UncompressedBytes,
            ["firstTimestamp"] = s.FirstTimestamp,
            ["lastTimestamp"] = s.LastTimestamp,
            ["topics"] = JsonOutput.Array(s.Topics.Select(t => new JsonObject
            {
                ["name"] = t.Name,
                ["partitions"] = t.Partitions,
                ["originalPartitionCount"] = t.OriginalPartitionCount,
                ["segments"] = t.Segments,
                ["records"] = t.Records,
                ["storedBytes"] = t.StoredBytes,
                ["uncompressedBytes"] = t.UncompressedBytes,
                ["firstTimestamp"] = t.FirstTimestamp,
                ["lastTimestamp"] = t.LastTimestamp,
                ["gaps"] = JsonOutput.Array(t.Gaps.Select(g => new JsonObject
                {
                    ["partition"] = g.Partition,
                    ["startOffset"] = g.Gap.StartOffset,
                    ["endOffset"] = g.Gap.EndOffset,
                    ["reason"] = g.Gap.Reason,
                })),
            })),
            ["verification"] = verification is null ? null : new JsonObject
            {
                ["verified"] = verification.Count == 0,
                ["problems"] = JsonOutput.Array(verification.Select(p => new JsonObject { ["key"] = p.Key, ["reason"] = p.Reason, ["message"] = p.Message })),
            },
        });
    }
}
