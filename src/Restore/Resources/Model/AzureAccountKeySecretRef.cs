namespace KafkaRestored.Restore.Resources.Model;

/// <summary>The storage account key in a secret (azure.credentialsSecret).</summary>
public sealed record AzureAccountKeySecretRef(string Name, string AccountKeyKey);
