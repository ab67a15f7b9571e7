namespace KafkaRestored.Restore.Resources.Model;

/// <summary>What to do when a target partition already holds data (extension).</summary>
public enum OnExistingData
{
    /// <summary>Fail with TargetNotEmpty (default).</summary>
    Fail,

    /// <summary>Append after the existing data.</summary>
    Append,
}
