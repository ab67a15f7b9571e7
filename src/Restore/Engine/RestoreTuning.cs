namespace KafkaRestored.Restore.Engine;

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

    /// <summary>
    /// The producer records go through: librdkafka's C API (the default) or Confluent.Kafka's managed producer, the same
    /// librdkafka with the same settings underneath. <see cref="Default"/> takes it from the environment variable
    /// <see cref="RestoreProducerChoice.Variable"/>, an escape hatch and the benchmark's baseline.
    /// </summary>
    public RestoreProducerKind Producer { get; init; } = RestoreProducerChoice.FromEnvironment;

    /// <summary>Settle intervals waited at most for the end offsets to hold still before resuming anyway (verification still checks).</summary>
    public int MaxSettleRounds { get; init; } = 30;
}

/// <summary>The producer chosen by the environment: <see cref="Variable"/> = native (the default) or confluent.</summary>
public static class RestoreProducerChoice
{
    /// <summary>The environment variable (outside the settings' KAFKA_RESTORED_ prefix: an escape hatch, not a setting).</summary>
    public const string Variable = "KR_RESTORE_PRODUCER";

    private static readonly (RestoreProducerKind Kind, string? Error) Choice = Read(Environment.GetEnvironmentVariable(Variable));

    /// <summary>The kind the environment names, native when it names none (or nothing valid: see <see cref="Error"/>).</summary>
    public static RestoreProducerKind FromEnvironment => Choice.Kind;

    /// <summary>Why the variable's value was not understood, or null; a restore refuses to start while it is set.</summary>
    public static string? Error => Choice.Error;

    internal static (RestoreProducerKind Kind, string? Error) Read(string? value) => value switch
    {
        null or "" => (RestoreProducerKind.Native, null),
        _ when string.Equals(value, "native", StringComparison.OrdinalIgnoreCase) => (RestoreProducerKind.Native, null),
        _ when string.Equals(value, "confluent", StringComparison.OrdinalIgnoreCase) => (RestoreProducerKind.Confluent, null),
        _ => (RestoreProducerKind.Native, $"the environment variable {Variable} is '{value}'; set it to native or confluent, or unset it (native)"),
    };
}
