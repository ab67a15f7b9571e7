namespace KafkaRestored.TestSupport;

/// <summary>
/// Iteration counts of the reliability tests: reduced by default so the suite stays fast, the full
/// counts of docs/RELIABILITY.md with <c>KAFKA_RESTORED_FULL_RELIABILITY=1</c>.
/// </summary>
public static class ReliabilityCounts
{
    /// <summary>Whether the full counts were asked for.</summary>
    public static bool Full { get; } = Environment.GetEnvironmentVariable("KAFKA_RESTORED_FULL_RELIABILITY") == "1";

    /// <summary><paramref name="quick"/> by default, <paramref name="full"/> in a full run.</summary>
    public static int Pick(int quick, int full) => Full ? full : quick;
}
