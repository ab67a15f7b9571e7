namespace KafkaRestored.Restore.Resources.Model;

/// <summary>An S3 (or S3-compatible) location: bucket plus optional prefix.</summary>
public sealed record S3StorageSpec(
    string Bucket,
    string? Region,
    string? Prefix,
    string? Endpoint,
    bool ForcePathStyle,
    S3CredentialsSecretRef? CredentialsSecret);
