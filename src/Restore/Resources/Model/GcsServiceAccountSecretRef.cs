namespace KafkaRestored.Restore.Resources.Model;

/// <summary>A service account's JSON key in a secret (gcs.credentialsSecret).</summary>
public sealed record GcsServiceAccountSecretRef(string Name, string ServiceAccountJsonKey);
