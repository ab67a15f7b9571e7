namespace KafkaRestored.Restore.Resources.Model;

/// <summary>
/// A Google Cloud Storage location: bucket, optional prefix, optional endpoint (an emulator or a
/// private endpoint), and a service account key or, with none, the host's application default credentials.
/// </summary>
public sealed record GcsStorageSpec(string Bucket, string? Prefix, string? Endpoint, GcsServiceAccountSecretRef? CredentialsSecret);
