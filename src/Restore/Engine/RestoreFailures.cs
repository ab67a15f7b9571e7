using KafkaRestored.Restore.Failures;
namespace KafkaRestored.Restore.Engine;

/// <summary>Maps exceptions from storage and decoding to user-facing reasons; null for bugs.</summary>
internal static class RestoreFailures
{
    public static KafkaRestoredException? Classify(Exception e) => e switch
    {
        KafkaRestoredException k => k,
        IOException or HttpRequestException or Amazon.Runtime.AmazonServiceException =>
            new KafkaRestoredException(FailureReason.StorageUnavailable,
                $"reading the backup failed: {e.Message}; check that the storage is reachable and readable. What was written is checkpointed: the next attempt resumes from there.", e),
        _ => null,
    };
}
