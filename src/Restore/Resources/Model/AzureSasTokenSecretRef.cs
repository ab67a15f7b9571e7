namespace KafkaRestored.Restore.Resources.Model;

/// <summary>A shared access signature token in a secret (azure.sasTokenSecret).</summary>
public sealed record AzureSasTokenSecretRef(string Name, string SasTokenKey);
