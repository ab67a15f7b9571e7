namespace KafkaRestored.Restore.Resources.Model;

/// <summary>Point-in-time recovery: keep records at or before the cutoff (inclusive).</summary>
public sealed record PitrSpec(bool Enabled, DateTimeOffset? Timestamp, long? TimestampMillis)
{
    /// <summary>The cutoff in Unix milliseconds, whichever way it was given; null when disabled.</summary>
    public long? CutoffMillis => !Enabled ? null : TimestampMillis ?? Timestamp?.ToUnixTimeMilliseconds();
}
