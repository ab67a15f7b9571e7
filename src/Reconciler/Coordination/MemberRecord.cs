namespace KafkaRestored.Reconciler.Coordination;

/// <summary>
/// What one daemon of a distributed deployment last said about itself in the state topic: its instance id, host, role
/// (<c>leader</c>, <c>member</c>, or <c>stopped</c> after a clean stop), since when it holds that role, and when it wrote.
/// </summary>
public sealed record MemberRecord(string Instance, string Host, string Role, DateTimeOffset Since, DateTimeOffset SeenAt, string Reason);
