namespace KafkaRestored.Benchmarks;

/// <summary>Resume cost: a restore SIGKILLed at 50% and resumed, against a clean run.</summary>
internal sealed record ResumeResult(TimeSpan Clean, TimeSpan UntilKill, TimeSpan Resume, long LandedAfterKill, long LandedAfterResume);
