namespace KafkaRestored.Reconciler.Coordination;

/// <summary>What /healthz and /metrics show of a daemon's membership in its coordination group.</summary>
/// <param name="InstanceId">This daemon's name.</param>
/// <param name="Role">"leader" while the last confirmation succeeded, else "member".</param>
/// <param name="Since">When the role last changed.</param>
/// <param name="Changes">How often this daemon gained or lost leadership.</param>
/// <param name="Reason">Why it is (not) the leader, in a sentence.</param>
public sealed record LeadershipState(string InstanceId, string Role, DateTimeOffset Since, long Changes, string Reason);
