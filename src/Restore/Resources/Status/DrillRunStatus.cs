using KafkaRestored.Restore.Resources.Model;

namespace KafkaRestored.Restore.Resources.Status;

/// <summary>The report of one drill run, as status/kafkarestoredrill/&lt;ns&gt;/&lt;name&gt;.yaml lists it.</summary>
public sealed record DrillRunStatus
{
    /// <summary>When the run started.</summary>
    public DateTimeOffset StartTime { get; init; }

    /// <summary>When the run ended.</summary>
    public DateTimeOffset CompletionTime { get; init; }

    /// <summary>Passed or Failed.</summary>
    public string Result { get; init; } = "";

    /// <summary>DrillPassed, or the failure reason (RtoMissed, RpoMissed, CorruptSegment, VerificationFailed...).</summary>
    public string Reason { get; init; } = "";

    /// <summary>What happened, with the numbers.</summary>
    public string Message { get; init; } = "";

    /// <summary>The backup restored (null when it could not be determined).</summary>
    public string? BackupId { get; init; }

    /// <summary>Records read back from the scratch topics that equal the backup's (per partition: count and checksum).</summary>
    public long RecordsVerified { get; init; }

    /// <summary>Partitions whose read-back count or checksum differs from the backup's.</summary>
    public long Mismatches { get; init; }

    /// <summary>Seconds the restore into the scratch topics took (null when it did not finish).</summary>
    public double? RestoreSeconds { get; init; }

    /// <summary>Age of the backup's newest record at the start of the run, in seconds (null when the backup holds no records).</summary>
    public double? DataAgeSeconds { get; init; }

    /// <summary>Whether the restore met spec.objectives.rto (null: no rto, or not measured).</summary>
    public bool? RtoMet { get; init; }

    /// <summary>Whether the data's age met spec.objectives.rpo (null: no rpo, or not measured).</summary>
    public bool? RpoMet { get; init; }

    /// <summary>The scratch topics written.</summary>
    public ValueList<string> ScratchTopics { get; init; } = ValueList<string>.Empty;

    /// <summary>What was cleaned up, or why not.</summary>
    public string? Cleanup { get; init; }

    /// <summary>Per-partition results (only partitions that did not match, to keep the file short).</summary>
    public ValueList<string> MismatchedPartitions { get; init; } = ValueList<string>.Empty;
}
