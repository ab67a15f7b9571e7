using KafkaRestored.Restore.Resources.Model;
using KafkaRestored.Restore.Resources.Status;

namespace KafkaRestored.Reconciler.Execution;

/// <summary>How one attempt ended, as the cycle records it: the runner's outcome and why its token was cancelled, if it was.</summary>
/// <param name="Id">The resource that ran.</param>
/// <param name="Generation">The generation the attempt ran; a completion of an older generation is dropped.</param>
/// <param name="Outcome">What the runner returned (or the failure that stood in for it).</param>
/// <param name="LastReported">The last progress the run reported, used when the outcome carries no details.</param>
/// <param name="CancelledByDeletion">The YAML was deleted while the attempt ran.</param>
/// <param name="DeadlineExceeded">The attempt ran past job.activeDeadlineSeconds.</param>
/// <param name="DaemonStopping">The daemon was shutting down, or stopped leading in distributed mode, when the completion was taken.</param>
public sealed record RunCompletion(
    ResourceId Id,
    long Generation,
    RunOutcome Outcome,
    ResourceStatus? LastReported,
    bool CancelledByDeletion,
    bool DeadlineExceeded,
    bool DaemonStopping);
