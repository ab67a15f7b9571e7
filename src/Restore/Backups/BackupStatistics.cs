using KafkaRestored.Restore.Backups.Kbak;
using KafkaRestored.Restore.Storage;

namespace KafkaRestored.Restore.Backups;

/// <summary>What a backup holds (topics, partitions, records, bytes, time range, gaps), and a full check of its segments.</summary>
public sealed record BackupStatistics(BackupManifest Manifest, IReadOnlyList<TopicStatistics> Topics)
{
    /// <summary>Records in all topics.</summary>
    public long Records => Topics.Sum(t => t.Records);

    /// <summary>Bytes of all segment objects.</summary>
    public long StoredBytes => Topics.Sum(t => t.StoredBytes);

    /// <summary>Bytes of all record bodies before compression.</summary>
    public long UncompressedBytes => Topics.Sum(t => t.UncompressedBytes);

    /// <summary>Earliest record timestamp at a segment boundary (timestamps inside segments need not be ordered).</summary>
    public long? FirstTimestamp => Topics.Min(t => t.FirstTimestamp);

    /// <summary>Latest record timestamp at a segment boundary.</summary>
    public long? LastTimestamp => Topics.Max(t => t.LastTimestamp);

    /// <summary>Computes the statistics from the manifest alone (no segment is read).</summary>
    public static BackupStatistics From(BackupManifest manifest) => new(manifest, manifest.Topics.Select(t =>
    {
        var segments = t.Partitions.SelectMany(p => p.Segments).ToList();
        return new TopicStatistics(
            t.Name,
            t.OriginalPartitionCount,
            t.Partitions.Count,
            segments.Count,
            segments.Sum(s => s.RecordCount),
            segments.Sum(s => s.CompressedSize),
            segments.Sum(s => s.UncompressedSize),
            segments.Count == 0 ? null : segments.Min(s => Math.Min(s.StartTimestamp, s.EndTimestamp)),
            segments.Count == 0 ? null : segments.Max(s => Math.Max(s.StartTimestamp, s.EndTimestamp)),
            t.Partitions.SelectMany(p => (p.Gaps ?? []).Select(g => new PartitionGap(p.PartitionId, g))).ToList());
    }).ToList());

    /// <summary>
    /// Reads every segment (CRC, format, counts) and compares it with the manifest; also parses the
    /// consumer-group snapshot when there is one. Returns every problem found, empty when sound.
    /// </summary>
    public static async Task<IReadOnlyList<VerificationProblem>> VerifyAsync(IBackupStorage storage, BackupManifest manifest,
        IProgress<int>? segmentsChecked, CancellationToken ct)
    {
        var problems = new List<VerificationProblem>();
        var done = 0;
        foreach (var topic in manifest.Topics)
        {
            foreach (var partition in topic.Partitions)
            {
                foreach (var segment in partition.Segments)
                {
                    try
                    {
                        var s = await SegmentReader.VerifyAsync(storage, segment.Key, ct);
                        var mismatches = new List<string>();
                        if (s.RecordCount != segment.RecordCount) mismatches.Add($"record_count {segment.RecordCount} in the manifest, {s.RecordCount} in the segment");
                        if (s.RecordCount > 0 && s.FirstOffset != segment.StartOffset) mismatches.Add($"start_offset {segment.StartOffset} in the manifest, {s.FirstOffset} in the segment");
                        if (s.RecordCount > 0 && s.LastOffset != segment.EndOffset) mismatches.Add($"end_offset {segment.EndOffset} in the manifest, {s.LastOffset} in the segment");
                        if (s.ObjectSize != segment.CompressedSize) mismatches.Add($"compressed_size {segment.CompressedSize} in the manifest, object is {s.ObjectSize} bytes");
                        if (s.UncompressedSize != segment.UncompressedSize) mismatches.Add($"uncompressed_size {segment.UncompressedSize} in the manifest, body is {s.UncompressedSize} bytes");
                        if (mismatches.Count > 0)
                            problems.Add(new VerificationProblem(segment.Key, "ManifestMismatch",
                                $"{storage.Describe(segment.Key)} ({topic.Name}/{partition.PartitionId}): {string.Join("; ", mismatches)}"));
                    }
                    catch (KafkaRestoredException e)
                    {
                        problems.Add(new VerificationProblem(segment.Key, e.Reason, e.Message));
                    }
                    segmentsChecked?.Report(++done);
                }
            }
        }
        try
        {
            await ConsumerGroupSnapshotStore.TryReadAsync(storage, manifest.BackupId, ct);
        }
        catch (KafkaRestoredException e)
        {
            problems.Add(new VerificationProblem(BackupKeys.ConsumerGroups(manifest.BackupId), e.Reason, e.Message));
        }
        return problems;
    }
}
