using KafkaRestored.Reconciler.Git;
using KafkaRestored.Reconciler.State;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace KafkaRestored.Reconciler.Status;

/// <summary>What a publish did.</summary>
public enum PublishOutcome
{
    /// <summary>Git already shows the store's status.</summary>
    UpToDate,

    /// <summary>A status commit was pushed.</summary>
    Pushed,

    /// <summary>Pushing failed (after retries); the store stays authoritative and a later cycle tries again.</summary>
    Failed,
}
