namespace KafkaRestored.Restore.Resources.Model;

/// <summary>TLS material in a secret: CA, and for mutual TLS a certificate and key.</summary>
public sealed record TlsSecretRef(string Name, string? CaKey, string? CertKey, string? KeyKey);
