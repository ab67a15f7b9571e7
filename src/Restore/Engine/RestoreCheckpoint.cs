namespace KafkaRestored.Restore.Engine;

/// <summary>
/// Restore state of one target partition.
/// <see cref="TargetStartOffset"/> is the partition's end offset before this restore wrote its
/// first record there; it is saved before any write, so on any later attempt
/// <c>endOffset − TargetStartOffset</c> is exactly the number of selected records already in
/// the target. The resume hint (segment start offset and the number of selected records before
/// that segment) only makes resuming cheap: it never decides what gets written.
/// </summary>
/// <param name="SourceTopic">Topic in the backup.</param>
/// <param name="TargetTopic">Topic in the target cluster (after topicMapping).</param>
/// <param name="Partition">Partition number, the same on both sides.</param>
/// <param name="Fingerprint">What the selection and record encoding depend on (backup, PITR cutoff, header settings); a resume with another fingerprint is refused.</param>
/// <param name="TargetStartOffset">End offset of the target partition before the first write.</param>
/// <param name="RecordsConfirmed">Selected records known to be in the target (acknowledged, or found there on resume).</param>
/// <param name="ResumeSegmentStartOffset">First offset of the segment to resume reading from.</param>
/// <param name="ResumeSelectedBefore">Selected records in the segments before that one.</param>
/// <param name="SelectedRecords">Total selected records, once known (the partition was read to its end).</param>
/// <param name="Completed">The partition was fully written and verified.</param>
/// <param name="UpdatedAt">When this checkpoint was saved.</param>
public sealed record RestoreCheckpoint(
    string SourceTopic,
    string TargetTopic,
    int Partition,
    string Fingerprint,
    long TargetStartOffset,
    long RecordsConfirmed,
    long ResumeSegmentStartOffset,
    long ResumeSelectedBefore,
    long? SelectedRecords,
    bool Completed,
    DateTimeOffset UpdatedAt);
