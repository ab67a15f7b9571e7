namespace KafkaRestored.Restore.Resources.Status;

/// <summary>Status of a document whose kind this product does not serve (UnknownKind): the shared fields only, never executed.</summary>
public sealed record UnservedKindStatus : ResourceStatus;
