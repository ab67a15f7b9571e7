using KafkaRestored.Restore.Failures;

namespace KafkaRestored.Restore;

/// <summary>
/// An error a user can cause and fix (missing backup, unreachable cluster, missing secret...):
/// a <see cref="FailureReason"/> that goes into status conditions and says whether a retry can
/// help, and a message that names the object at fault and says what to do. Messages never
/// contain secret values.
/// </summary>
public class KafkaRestoredException : Exception
{
    /// <summary>Creates the error with its reason and actionable message.</summary>
    public KafkaRestoredException(FailureReason reason, string message, Exception? inner = null)
        : base(message, inner) => Reason = reason;

    /// <summary>The reason, e.g. <see cref="FailureReason.BackupNotFound"/>; its name is the status text.</summary>
    public FailureReason Reason { get; }
}
