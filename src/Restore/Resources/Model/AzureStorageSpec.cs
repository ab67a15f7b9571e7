namespace KafkaRestored.Restore.Resources.Model;

/// <summary>
/// An Azure Blob Storage location: container in a storage account, optional prefix, and either an
/// account key, a SAS token, or the host's ambient Azure credential (neither secret given).
/// </summary>
public sealed record AzureStorageSpec(
    string Container,
    string AccountName,
    string? Prefix,
    string? Endpoint,
    AzureAccountKeySecretRef? CredentialsSecret,
    AzureSasTokenSecretRef? SasTokenSecret);
