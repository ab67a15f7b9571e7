namespace KafkaRestored.Restore;

/// <summary>
/// An error a user can cause and fix (missing backup, unreachable cluster, missing secret...):
/// a CamelCase <see cref="Reason"/> that goes into status conditions, and a message that names
/// the object at fault and says what to do. Messages never contain secret values.
/// </summary>
public class KafkaRestoredException : Exception
{
    /// <summary>Creates the error with its reason and actionable message.</summary>
    public KafkaRestoredException(string reason, string message, Exception? inner = null)
        : base(message, inner) => Reason = reason;

    /// <summary>CamelCase reason, e.g. "BackupNotFound".</summary>
    public string Reason { get; }
}
