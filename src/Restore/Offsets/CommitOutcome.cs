using Confluent.Kafka;

namespace KafkaRestored.Restore.Offsets;

/// <summary>Outcome of one call that changes a group's offsets (AlterConsumerGroupOffsets or DeleteConsumerGroupOffsets).</summary>
internal sealed record CommitOutcome(bool Succeeded, ErrorCode Code, string Detail);
