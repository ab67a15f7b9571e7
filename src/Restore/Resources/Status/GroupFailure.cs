namespace KafkaRestored.Restore.Resources.Status;

/// <summary>A consumer group that could not be reset or rolled back, and why.</summary>
public sealed record GroupFailure(string Group, string Reason, string Message);
