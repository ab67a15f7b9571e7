namespace KafkaRestored.Restore.Resources.Model;

/// <summary>Offset reset strategies (SPEC 3.4).</summary>
public enum OffsetResetStrategy
{
    /// <summary>Log start offset.</summary>
    Earliest,

    /// <summary>End offset.</summary>
    Latest,

    /// <summary>First offset at or after a time.</summary>
    Timestamp,

    /// <summary>A given offset, clamped.</summary>
    Offset,

    /// <summary>Continue where the group stopped in the source cluster.</summary>
    HeaderBased,
}
