namespace KafkaRestored.Reconciler.Coordination;

/// <summary>
/// What one daemon of a distributed deployment last said about itself in the state topic: its instance id, host, role
/// (<c>leader</c>, <c>member</c>, or <c>stopped</c> after a clean stop), since when it holds that role, and when it wrote.
/// </summary>
public sealed record MemberRecord(string Instance, string Host, string Role, DateTimeOffset Since, DateTimeOffset SeenAt, string Reason)
{
    /// <summary>The slots of the units topic it held (null: no units topic, or written by a daemon without units).</summary>
    public IReadOnlyList<int>? Slots { get; init; }

    /// <summary>The restores it was running units of.</summary>
    public int? Units { get; init; }
}
