namespace KafkaRestored.Restore.Resources.Model;

/// <summary>SASL credentials in a secret. Keys default to "username" and "password".</summary>
public sealed record SaslSecretRef(string Name, SaslMechanism Mechanism, string UsernameKey, string PasswordKey);
