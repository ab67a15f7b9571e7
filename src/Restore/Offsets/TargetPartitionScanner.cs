using System.Diagnostics;
using System.Text;
using Confluent.Kafka;
using KafkaRestored.Restore.Engine;
using KafkaRestored.Restore.Failures;
using KafkaRestored.Restore.Provenance;

namespace KafkaRestored.Restore.Offsets;

/// <summary>
/// Reads a target partition's records: rebuilds a restore's offset map from the
/// <c>x-original-offset</c> headers, and finds the first record at or after a time.
/// </summary>
internal static class TargetPartitionScanner
{
    /// <summary>Header holding the record's offset in the source partition.</summary>
    public const string OriginalOffsetHeader = OriginalOffsetHeaders.OriginalOffset;

    /// <summary>Header naming the cluster the record came from.</summary>
    public const string SourceClusterHeader = OriginalOffsetHeaders.SourceCluster;

    /// <summary>
    /// Rebuilds the source → target offset map of <paramref name="tp"/> from its headers, reading
    /// [log start, end). Records without the header, or from another source cluster when
    /// <paramref name="sourceCluster"/> is given, are not part of the map.
    /// </summary>
    /// <exception cref="KafkaRestoredException">OffsetHeadersOutOfOrder when source offsets go backwards (two restores of the same data).</exception>
    public static PartitionOffsetMap ReadOffsetMap(KafkaOffsetsClient client, TopicPartition tp, string sourceTopic, string? sourceCluster, CancellationToken ct)
    {
        var map = new PartitionOffsetMap(sourceTopic, tp.Topic, tp.Partition.Value);
        var marks = client.Watermarks(tp);
        if (marks.High.Value <= marks.Low.Value) return map;
        byte[]? wanted = sourceCluster is null ? null : Encoding.UTF8.GetBytes(sourceCluster);
        long lastSource = -1, lastTarget = -1;
        Scan(client, tp, marks.Low.Value, marks.High.Value, record =>
        {
            var headers = record.Message.Headers;
            if (headers is null || !headers.TryGetLastBytes(OriginalOffsetHeader, out var raw) || raw is null) return true;
            if (wanted is not null && (!headers.TryGetLastBytes(SourceClusterHeader, out var cluster) || cluster is null || !cluster.AsSpan().SequenceEqual(wanted)))
                return true;
            if (!TryParseOffset(raw, out var source))
                throw new KafkaRestoredException(FailureReason.InvalidOffsetHeader,
                    $"record {tp.Topic}[{tp.Partition.Value}]@{record.Offset.Value} has an {OriginalOffsetHeader} header that is neither an 8-byte little-endian int64 nor decimal text.");
            if (source <= lastSource)
                throw new KafkaRestoredException(FailureReason.OffsetHeadersOutOfOrder,
                    $"{tp.Topic}[{tp.Partition.Value}] holds source offset {source} at target offset {record.Offset.Value} after source offset {lastSource} at {lastTarget}: " +
                    "the partition holds the same source data more than once (restored twice?), so a source position has no single target position. " +
                    (sourceCluster is null ? "Set sourceCluster to pick one restore's records, or restore into an empty topic." : "Restore into an empty topic."));
            map.Add(source, record.Offset.Value);
            lastSource = source;
            lastTarget = record.Offset.Value;
            return true;
        }, ct);
        return map;
    }

    /// <summary>Offset of the first record in [<paramref name="from"/>, end) whose timestamp is at or after <paramref name="time"/>, or null.</summary>
    public static long? FirstAtOrAfter(KafkaOffsetsClient client, TopicPartition tp, long from, DateTimeOffset time, CancellationToken ct)
    {
        var marks = client.Watermarks(tp);
        var start = Math.Max(from, marks.Low.Value);
        if (marks.High.Value <= start) return null;
        var cutoff = time.ToUnixTimeMilliseconds();
        long? found = null;
        Scan(client, tp, start, marks.High.Value, record =>
        {
            if (record.Message.Timestamp.UnixTimestampMs < cutoff) return true;
            found = record.Offset.Value;
            return false;
        }, ct);
        return found;
    }

    /// <summary>Parses an x-original-offset value (decimal UTF-8 text, else 8-byte little-endian int64); negative values are not offsets.</summary>
    internal static bool TryParseOffset(ReadOnlySpan<byte> value, out long offset)
    {
        offset = OriginalOffsetHeaders.ReadInt64(value) ?? -1;
        return offset >= 0;
    }

    /// <summary>Reads [from, end) in order, calling <paramref name="visit"/> until it returns false.</summary>
    private static void Scan(KafkaOffsetsClient client, TopicPartition tp, long from, long end,
        Func<ConsumeResult<byte[]?, byte[]?>, bool> visit, CancellationToken ct)
    {
        var reader = client.Reader;
        reader.Assign(new TopicPartitionOffset(tp, from));
        try
        {
            var idleSince = Stopwatch.GetTimestamp();
            while (true)
            {
                ct.ThrowIfCancellationRequested();
                var record = reader.Consume(TimeSpan.FromMilliseconds(200));
                if (record is null)
                {
                    if (Stopwatch.GetElapsedTime(idleSince) > client.Timeout)
                        throw new KafkaRestoredException(FailureReason.ClusterUnreachable,
                            $"reading {tp.Topic}[{tp.Partition.Value}] from {client.Bootstrap} stalled before offset {end}; check the brokers are up.");
                    continue;
                }
                idleSince = Stopwatch.GetTimestamp();
                if (record.IsPartitionEOF) return;
                if (!record.TopicPartition.Equals(tp)) continue;
                if (!visit(record)) return;
                if (record.Offset.Value >= end - 1) return;
            }
        }
        catch (ConsumeException e)
        {
            throw new KafkaRestoredException(FailureReason.ClusterUnreachable,
                $"could not read {tp.Topic}[{tp.Partition.Value}] from {client.Bootstrap}: {e.Error.Reason}.", e);
        }
        finally
        {
            reader.Unassign();
        }
    }
}
