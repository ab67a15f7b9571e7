using System.Globalization;
using System.Text;
using KafkaRestored.Reconciler.State;
using KafkaRestored.Restore;

namespace KafkaRestored.Reconciler.Status;

/// <summary>Builds status commit messages: a one-line subject, one line per resource, the skip-ci marker, trailers.</summary>
public static class CommitMessage
{
    private const int SubjectListLimit = 4;

    /// <summary>The full message for <paramref name="changes"/> (at least one) and the snapshot files added; <paramref name="instance"/> (distributed mode) adds an <c>Instance:</c> trailer.</summary>
    public static string Build(IReadOnlyList<StatusChange> changes, IReadOnlyList<string> snapshotIds, string? skipCiMarker, string? instance = null)
    {
        var subject = Subject(changes, snapshotIds);
        var sb = new StringBuilder(subject).Append("\n\n");
        foreach (var c in changes) sb.Append($"{c.Id.Kind} {c.Id.ShortName}: {c.Summary()}\n");
        foreach (var s in snapshotIds) sb.Append($"Offset snapshot {s} recorded\n");
        if (!string.IsNullOrWhiteSpace(skipCiMarker)) sb.Append('\n').Append(skipCiMarker.Trim()).Append('\n');
        sb.Append('\n');
        foreach (var c in changes)
        {
            sb.Append($"Resource: {c.Id.Kind} {c.Id.ShortName}\n");
            sb.Append($"Phase: {(c.New is null ? (c.Removal == DeletionOutcome.Cancelled ? "Cancelled" : "Deleted") : c.New.Phase.ToString())}\n");
            if (c.New?.SourceRevision is { } rev) sb.Append($"Spec-Revision: {rev}\n");
        }
        if (instance is not null) sb.Append($"Instance: {instance}\n");
        return sb.ToString();
    }

    private static string Subject(IReadOnlyList<StatusChange> changes, IReadOnlyList<string> snapshotIds)
    {
        if (changes.Count == 1) return $"{changes[0].Id.ShortName}: {changes[0].Summary()}";
        if (changes.Count == 0) return snapshotIds.Count == 1 ? $"snapshots: {snapshotIds[0]} recorded" : $"snapshots: {snapshotIds.Count} recorded";
        var listed = changes.Take(SubjectListLimit).Select(c => $"{c.Id.ShortName}: {c.Summary()}");
        var more = changes.Count > SubjectListLimit ? $", and {changes.Count - SubjectListLimit} more" : "";
        return $"status: {Plural.Of(changes.Count, "resource")} ({string.Join(", ", listed)}{more})";
    }
}
