using System.Globalization;
using System.Text;
using KafkaRestored.Reconciler.State;
using KafkaRestored.Restore;
using KafkaRestored.Restore.Resources.Model;
using KafkaRestored.Restore.Resources.Status;

namespace KafkaRestored.Reconciler.Status;

/// <summary>One resource's status file changing in a commit: previous phase (from the tip), new status or removal.</summary>
/// <param name="Id">Resource.</param>
/// <param name="OldPhase">Phase in the file being replaced, or null when the file is new.</param>
/// <param name="New">Status written, or null when the file is removed.</param>
/// <param name="Removal">Why the file is removed (with <see cref="New"/> null).</param>
public sealed record StatusChange(ResourceId Id, string? OldPhase, ResourceStatus? New, DeletionOutcome? Removal = null)
{
    /// <summary>"Old -> New (details)" in a few words.</summary>
    public string Summary()
    {
        if (New is null)
        {
            var what = Removal == DeletionOutcome.Cancelled ? "cancelled" : "deleted";
            return OldPhase is null ? $"{what}, status removed" : $"{OldPhase} -> {what}, status removed";
        }
        var phase = New.Phase.ToString();
        var details = Details(New);
        var head = OldPhase is null ? $"{phase} (new)" : OldPhase == phase ? phase : $"{OldPhase} -> {phase}";
        if (details.Length == 0) return head;
        return head.EndsWith(')') ? head[..^1] + ", " + details + ")" : $"{head} ({details})";
    }

    private static string Details(ResourceStatus s)
    {
        var parts = new List<string>();
        var ready = Conditions.Find(s.Conditions, ConditionTypes.Ready);
        switch (s)
        {
            case KafkaRestoreStatus r when s.Phase == ResourcePhase.Running && r.Progress is { } p:
                parts.Add($"{p.Percent.ToString("0", CultureInfo.InvariantCulture)}%, {N(p.RecordsDone)}/{Plural.Of(p.RecordsTotal, "record", format: "N0")}");
                break;
            case KafkaRestoreStatus r when s.Phase == ResourcePhase.Completed:
                parts.Add(Plural.Of(r.RestoredRecords ?? 0, "record", format: "N0"));
                if (r.OffsetResetStatus is { GroupsFailed.Count: > 0 } o) parts.Add($"offsets of {Plural.Of(o.GroupsFailed.Count, "group")} not reset");
                break;
            case KafkaOffsetResetStatus r when s.Phase == ResourcePhase.Completed:
                parts.Add($"{Plural.Of(r.GroupsReset.Count, "group")} reset" + (r.GroupsFailed.Count > 0 ? $", {r.GroupsFailed.Count} failed" : ""));
                break;
            case KafkaBackupStatus b when s.Phase == ResourcePhase.Running && b.CurrentBackup is { } run:
                parts.Add($"backup {run.BackupId} {run.Stage.ToLowerInvariant()}" + (run.RestartedIncomplete ? ", incomplete earlier attempt restarted" : ""));
                break;
            case KafkaBackupStatus b when s.Phase == ResourcePhase.Completed && b.LastBackup is { } last:
                parts.Add($"backup {last.BackupId}, {Plural.Of(last.Records ?? 0, "record", format: "N0")}");
                if (b.LastRetention is { Deleted.Count: > 0 } ret)
                    parts.Add($"retention {(ret.DryRun ? "would delete" : "deleted")} {string.Join(" ", ret.Deleted)}");
                break;
            case KafkaRestoreDrillStatus { LastRuns.Count: > 0 } d when s.Phase is ResourcePhase.Completed or ResourcePhase.Failed:
                var drillRun = d.LastRuns[0];
                parts.Add($"drill {drillRun.Result}: {Plural.Of(drillRun.RecordsVerified, "record", format: "N0")} verified, {Plural.Of(drillRun.Mismatches, "mismatch", "mismatches")}" +
                    (drillRun.RestoreSeconds is { } secs ? $", restore {secs.ToString("0.###", CultureInfo.InvariantCulture)}s" : ""));
                break;
            case KafkaOffsetRollbackStatus r when s.Phase == ResourcePhase.Completed:
                parts.Add(r.GroupsSnapshotted.Count > 0 ? $"{Plural.Of(r.GroupsSnapshotted.Count, "group")} snapshotted" : $"{Plural.Of(r.GroupsRolledBack.Count, "group")} rolled back");
                break;
        }
        if (s.Phase == ResourcePhase.Failed && ready is not null) parts.Add(ready.Reason);
        if (s.Phase == ResourcePhase.Running && s.Attempts > 1) parts.Add($"attempt {s.Attempts}");
        if (s.Phase is ResourcePhase.Completed or ResourcePhase.Failed && s.StartTime is { } start && s.CompletionTime is { } end && end >= start)
            parts.Add(GoDuration(end - start));
        return string.Join(", ", parts);
    }

    /// <summary>Thousands-separated integer: 1,000,000.</summary>
    public static string N(long value) => value.ToString("N0", CultureInfo.InvariantCulture);

    /// <summary>A duration the way Go prints it: 30m0s, 1h2m3s, 45s.</summary>
    public static string GoDuration(TimeSpan d)
    {
        var total = (long)Math.Round(d.TotalSeconds);
        var h = total / 3600;
        var m = total % 3600 / 60;
        var s = total % 60;
        var sb = new StringBuilder();
        if (h > 0) sb.Append(h).Append('h');
        if (h > 0 || m > 0) sb.Append(m).Append('m');
        sb.Append(s).Append('s');
        return sb.ToString();
    }
}
