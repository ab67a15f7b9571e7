using KafkaRestored.Reconciler.State;
using KafkaRestored.Restore.Resources.Status;

namespace KafkaRestored.Reconciler.Status;

/// <summary>
/// Decides which status goes to Git (SPEC 4): every phase change at once, and while Running every
/// change of the Ready reason (an attempt failed, the next one started) or of a run's stage (a KafkaBackup
/// writing, then applying retention: <see cref="ResourceStatus.IsNewsComparedTo"/>); other changes (progress)
/// at most every progressCommitInterval; outside Running, any change at once; never an unchanged status.
/// </summary>
public static class PublishPolicy
{
    /// <summary><paramref name="record"/> with <see cref="ResourceRecord.PublishedStatus"/> brought up to date when due.</summary>
    public static ResourceRecord Apply(ResourceRecord record, DateTimeOffset now, TimeSpan progressCommitInterval) =>
        IsDue(record, now, progressCommitInterval) ? record with { PublishedStatus = record.Status, PublishedAt = now } : record;

    /// <summary>True when the live status should replace the published one now.</summary>
    public static bool IsDue(ResourceRecord record, DateTimeOffset now, TimeSpan progressCommitInterval)
    {
        var published = record.PublishedStatus;
        if (published is null) return true;
        if (published.Equals(record.Status)) return false;
        if (published.Phase != record.Status.Phase) return true;
        if (record.Status.Phase != ResourcePhase.Running) return true;
        // An attempt that failed (or the next one starting) is news, not progress: a throttled file kept saying "attempt 1 running".
        if (ReadyReason(published) != ReadyReason(record.Status)) return true;
        if (record.Status.IsNewsComparedTo(published)) return true;
        return record.PublishedAt is not { } at || now - at >= progressCommitInterval;
    }

    private static string? ReadyReason(ResourceStatus status) => Conditions.Find(status.Conditions, ConditionTypes.Ready)?.Reason;

    /// <summary>When a throttled Running status becomes due, or null when nothing waits.</summary>
    public static DateTimeOffset? DueAt(ResourceRecord record, TimeSpan progressCommitInterval)
    {
        if (record.PublishedStatus is null || record.PublishedStatus.Equals(record.Status)) return null;
        return (record.PublishedAt ?? DateTimeOffset.MinValue) + progressCommitInterval;
    }
}
