using KafkaRestored.Restore.Resources.Model;
using KafkaRestored.Restore.Resources.Validation;

namespace KafkaRestored.Reconciler.Planning;

/// <summary>
/// One identity as Git defines it at a commit: a valid resource with its spec hash, or the errors
/// that make it unusable (validation errors, or the other files defining the same identity).
/// </summary>
public sealed record DesiredResource
{
    /// <summary>Identity.</summary>
    public required ResourceId Id { get; init; }

    /// <summary>Where the (first) document defining it starts.</summary>
    public required SourceLocation Location { get; init; }

    /// <summary>The validated resource; null when invalid.</summary>
    public KafkaResource? Resource { get; init; }

    /// <summary>Hash of the canonical spec; for an invalid resource, a hash of its errors.</summary>
    public required string SpecHash { get; init; }

    /// <summary>Value of the kafka.oso.sh/rerun annotation, if any.</summary>
    public string? RerunValue { get; init; }

    /// <summary>Validation errors, each "file:line:col: error: CODE: message".</summary>
    public IReadOnlyList<string> Errors { get; init; } = [];

    /// <summary>Warnings of a valid resource (e.g. podTemplate ignored), as the diagnostics the loader found.</summary>
    public IReadOnlyList<Diagnostic> Warnings { get; init; } = [];

    /// <summary>Host policy denials of a well-formed resource, each "file:line:col: error: PolicyDenied: message"; it is not executed while any remain.</summary>
    public IReadOnlyList<string> Denials { get; init; } = [];

    /// <summary>Hash of the canonical spec even when denied (<see cref="SpecHash"/> then also covers the denials), so a policy change alone is told from a spec change.</summary>
    public string? ResourceSpecHash { get; init; }

    /// <summary>Every location defining this identity when more than one does.</summary>
    public IReadOnlyList<SourceLocation> Duplicates { get; init; } = [];

    /// <summary>Retry, deadline and retention settings (KafkaRestore's job; defaults for other kinds).</summary>
    public JobSpec Job => Resource is KafkaRestore r ? r.Spec.Job : JobSpec.Default;

    /// <summary>True when the resource may be executed: well-formed, defined once and allowed by the host policy.</summary>
    public bool IsValid => Resource is not null && Errors.Count == 0 && Duplicates.Count == 0 && Denials.Count == 0;

    /// <summary>True when the resource is well-formed and defined once but the host policy denies it.</summary>
    public bool IsDenied => Resource is not null && Errors.Count == 0 && Duplicates.Count == 0 && Denials.Count > 0;
}
