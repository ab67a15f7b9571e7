namespace KafkaRestored.Daemon.Notifications;

/// <summary>How hard the notifier tries: attempts per notification with capped exponential backoff, a time limit per attempt, and how long a stopping daemon waits for the queue to drain.</summary>
/// <param name="MaxAttempts">Attempts per notification before it is given up (logged as an error).</param>
/// <param name="RetryBaseDelay">Delay after the first failed attempt; doubles per attempt.</param>
/// <param name="RetryMaxDelay">Cap of the delay.</param>
/// <param name="AttemptTimeout">A receiver taking longer to answer fails the attempt.</param>
/// <param name="DrainTimeout">On shutdown, how long queued notifications may still be sent.</param>
public sealed record NotifierTuning(int MaxAttempts, TimeSpan RetryBaseDelay, TimeSpan RetryMaxDelay, TimeSpan AttemptTimeout, TimeSpan DrainTimeout)
{
    /// <summary>5 attempts 1 s, 2 s, 4 s, 8 s apart, 10 s each, 5 s to drain on shutdown.</summary>
    public static NotifierTuning Default { get; } = new(5, TimeSpan.FromSeconds(1), TimeSpan.FromMinutes(1), TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(5));
}
