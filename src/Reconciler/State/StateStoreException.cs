namespace KafkaRestored.Reconciler.State;

/// <summary>The state store cannot be used as asked; <see cref="Reason"/> says why in CamelCase.</summary>
public sealed class StateStoreException(string reason, string message, Exception? inner = null) : Exception(message, inner)
{
    /// <summary>CamelCase reason.</summary>
    public string Reason { get; } = reason;
}
