using KafkaRestored.Restore.Provenance;
using KafkaRestored.Restore.Resources.Model;

namespace KafkaRestored.Restore.Offsets;

/// <summary>What to reset: groups, target partitions and the inputs of the chosen strategy (SPEC 3.4).</summary>
public sealed record OffsetResetRequest
{
    /// <summary>The strategy.</summary>
    public required OffsetResetStrategy Strategy { get; init; }

    /// <summary>Consumer groups to reset, each independently.</summary>
    public required IReadOnlyList<string> Groups { get; init; }

    /// <summary>Target topics whose every partition is reset. When empty, the partitions of <see cref="OffsetMaps"/> (a restore's), else for headerBased the topics each group committed on in the source (through <see cref="TopicMapping"/>).</summary>
    public IReadOnlyList<string> Topics { get; init; } = [];

    /// <summary>Offset maps a restore recorded, one per target partition it touched. Marks the data as restored (timestamp reads the restored records) and drives headerBased without a header scan.</summary>
    public IReadOnlyList<PartitionOffsetMap> OffsetMaps { get; init; } = [];

    /// <summary>For timestamp: the instant.</summary>
    public DateTimeOffset? Timestamp { get; init; }

    /// <summary>For offset: the offset, clamped to [log start, end].</summary>
    public long? Offset { get; init; }

    /// <summary>For headerBased without a map: only records whose x-source-cluster equals this count.</summary>
    public string? SourceCluster { get; init; }

    /// <summary>Source topic → target topic renames of the restore.</summary>
    public IReadOnlyDictionary<string, string> TopicMapping { get; init; } = ValueMap.Empty;

    /// <summary>For headerBased: the groups' committed offsets in the source cluster (the backup's consumer-groups snapshot).</summary>
    public SourceCommittedOffsets? SourceOffsets { get; init; }
}
