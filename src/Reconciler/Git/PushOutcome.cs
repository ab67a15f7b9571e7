namespace KafkaRestored.Reconciler.Git;

/// <summary>Outcome of a push attempt.</summary>
public enum PushOutcome
{
    /// <summary>The remote branch now points at the commit.</summary>
    Pushed,

    /// <summary>The remote refused the update (someone pushed first, or a hook declined): fetch and rebuild.</summary>
    Rejected,
}
