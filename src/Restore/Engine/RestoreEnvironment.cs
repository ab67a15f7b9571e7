using KafkaRestored.Restore.Resources.Policy;
using KafkaRestored.Restore.Secrets;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace KafkaRestored.Restore.Engine;

/// <summary>What a restore needs besides its spec: secrets, the state store and the key of this run, logging and time.</summary>
public sealed class RestoreEnvironment
{
    /// <summary>Creates an environment with the defaults for logging, time and tuning.</summary>
    public RestoreEnvironment(SecretStore secrets, IRestoreStateStore state, string restoreKey)
    {
        ArgumentNullException.ThrowIfNull(secrets);
        ArgumentNullException.ThrowIfNull(state);
        ArgumentException.ThrowIfNullOrEmpty(restoreKey);
        Secrets = secrets;
        State = state;
        RestoreKey = restoreKey;
    }

    /// <summary>Secret files (SPEC 8).</summary>
    public SecretStore Secrets { get; }

    /// <summary>Checkpoints and offset maps.</summary>
    public IRestoreStateStore State { get; }

    /// <summary>
    /// Identifies this run in the state store. The same key resumes; a new key starts over (and
    /// then meets TargetNotEmpty if the target already holds data). The Reconciler uses one key
    /// per resource generation; the CLI uses namespace/name.
    /// </summary>
    public string RestoreKey { get; }

    /// <summary>Logger for the run (the caller adds the resource identity to its scope).</summary>
    public ILogger Logger { get; init; } = NullLogger.Instance;

    /// <summary>Clock for progress rates, checkpoint intervals and stall detection.</summary>
    public TimeProvider Time { get; init; } = TimeProvider.System;

    /// <summary>Timeouts and intervals.</summary>
    public RestoreTuning Tuning { get; init; } = RestoreTuning.Default;

    /// <summary>
    /// The host policy whose InternalTopics may allow internal target topics (any <c>__</c> topic,
    /// <c>_schemas</c>); without one, a plan writing into an internal topic fails with PolicyDenied.
    /// </summary>
    public HostPolicy? Policy { get; init; }
}

/// <summary>Timeouts and intervals of the engine; the defaults suit production, tests shorten some.</summary>
/// <param name="ConnectTimeout">How long preflight waits for the cluster's metadata before ClusterUnreachable.</param>
/// <param name="TopicCreationTimeout">How long CreateTopics may take before TopicCreationFailed.</param>
/// <param name="CheckpointInterval">How often progress is checkpointed while restoring.</param>
/// <param name="ProgressInterval">How often progress is reported.</param>
/// <param name="StallTimeout">How long records may wait unacknowledged (brokers down) before the attempt fails; it resumes on the next one.</param>
/// <param name="MaxProducerRestarts">Producer failures (fatal errors, failed deliveries) recovered within one attempt by resuming with a new producer.</param>
public sealed record RestoreTuning(
    TimeSpan ConnectTimeout,
    TimeSpan TopicCreationTimeout,
    TimeSpan CheckpointInterval,
    TimeSpan ProgressInterval,
    TimeSpan StallTimeout,
    int MaxProducerRestarts)
{
    /// <summary>15 s connect, 15 s topic creation, checkpoints every 2 s, progress every 0.5 s, 5 min stall, 3 producer restarts.</summary>
    public static RestoreTuning Default { get; } = new(
        TimeSpan.FromSeconds(15), TimeSpan.FromSeconds(15), TimeSpan.FromSeconds(2),
        TimeSpan.FromMilliseconds(500), TimeSpan.FromMinutes(5), 3);

    /// <summary>
    /// After a producer restart, resume points are read only once the target's end offsets held
    /// still for this long (a broker still appends requests it read before the old producer went away).
    /// </summary>
    public TimeSpan RestartSettleInterval { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>Settle intervals waited at most for the end offsets to hold still before resuming anyway (verification still checks).</summary>
    public int MaxSettleRounds { get; init; } = 30;
}
