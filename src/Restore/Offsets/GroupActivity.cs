namespace KafkaRestored.Restore.Offsets;

/// <summary>What the broker said about a group's members before a commit.</summary>
internal readonly record struct GroupActivity(bool Known, int ActiveMembers, string State, string Members)
{
    public static GroupActivity Unknown { get; } = new(false, 0, "Unknown", "");
}
