using Confluent.Kafka;

namespace KafkaRestored.Restore.Offsets;

/// <summary>Outcome of one AlterConsumerGroupOffsets call for a group.</summary>
internal sealed record CommitOutcome(bool Succeeded, ErrorCode Code, string Detail);
