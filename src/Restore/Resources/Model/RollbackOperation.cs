namespace KafkaRestored.Restore.Resources.Model;

/// <summary>KafkaOffsetRollback operations.</summary>
public enum RollbackOperation
{
    /// <summary>Re-commit a snapshot's offsets.</summary>
    Rollback,

    /// <summary>Record current committed offsets under a snapshot id.</summary>
    Snapshot,
}
