
namespace KafkaRestored.Reconciler.State;

/// <summary>Why a resource's status file left the repository.</summary>
public enum DeletionOutcome
{
    /// <summary>The YAML was deleted while nothing ran.</summary>
    Deleted,

    /// <summary>The YAML was deleted while an attempt ran; the attempt was cancelled.</summary>
    Cancelled,
}
