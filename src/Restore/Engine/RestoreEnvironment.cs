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

    /// <summary>
    /// A unit of distributed mode: only these target partitions (topic, partition) are started, written, verified and
    /// marked completed; the rest of the plan belongs to other units. Null: every partition of the plan.
    /// </summary>
    public IReadOnlySet<(string Topic, int Partition)>? Only { get; init; }

    /// <summary>
    /// Distributed mode's leader: called after preflight (every partition's start offset saved) and before anything is
    /// written, to have the partitions written by the members as units. It returns once every unit ended; null means it
    /// spread nothing and this process writes every partition itself. After a completed spread the engine reads the state
    /// again, writes what is still missing itself (nothing, when every unit completed) and verifies every partition. While
    /// it waits it reports the records each partition holds (from the units' checkpoints) through the callback it is given.
    /// </summary>
    public Func<RestorePlan, Action<IReadOnlyDictionary<(string Topic, int Partition), long>>, CancellationToken, Task<SpreadOutcome?>>? Spread { get; init; }
}

/// <summary>How the units of a spread restore ended: all completed (with a note on the split), or the first failure.</summary>
/// <param name="Failure">The first unit's failure; null when every unit completed.</param>
/// <param name="Message">The failure's message, or the split ("spread over 3 members: a 54 partitions, ...").</param>
public sealed record SpreadOutcome(Failures.FailureReason? Failure, string Message);
