namespace KafkaRestored.Restore.Resources.Model;

/// <summary>S3 keys in a secret.</summary>
public sealed record S3CredentialsSecretRef(string Name, string AccessKeyKey, string SecretKeyKey);
