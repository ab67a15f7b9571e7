using KafkaRestored.Daemon.Http;
using KafkaRestored.Reconciler.Coordination;

namespace KafkaRestored.Daemon.Hosting;

/// <summary>Distributed mode's metrics: whether this daemon leads and how often that changed (none in single-instance mode).</summary>
public static class LeadershipMetrics
{
    private static readonly string[] MemberStates = ["active", "stopped", "gone"];

    /// <summary>
    /// The families for <paramref name="state"/>, the <paramref name="units"/> held here and the <paramref name="members"/> of the
    /// deployment as last read; empty when distributed mode is off.
    /// </summary>
    public static IEnumerable<MetricFamily> Collect(LeadershipState? state, UnitsHeld? units = null, MembersSeen? members = null)
    {
        if (state is null) yield break;
        if (members is not null)
        {
            string State(MemberRecord m) => m.Role == "stopped" ? "stopped" : members.Now - m.SeenAt > members.SessionTimeout ? "gone" : "active";
            var counts = members.Records.GroupBy(State).ToDictionary(g => g.Key, g => g.Count());
            yield return new MetricFamily("kafka_restored_members", "gauge",
                "Daemons of this deployment by what they last said in the state topic: active, stopped (cleanly), gone (not heard from for a session timeout).",
                [.. MemberStates.Select(s => new MetricSample([new("state", s)], counts.GetValueOrDefault(s)))]);
        }
        if (units is not null)
        {
            yield return new MetricFamily("kafka_restored_unit_slots", "gauge", "Slots of the units topic assigned to this member.",
                [new MetricSample([new("instance", state.InstanceId)], units.Slots.Count)]);
            yield return new MetricFamily("kafka_restored_units_running", "gauge", "Restore units this member is running now.",
                [new MetricSample([new("instance", state.InstanceId)], units.Units.Count)]);
        }
        yield return new MetricFamily("kafka_restored_leader", "gauge", "1 while this daemon leads its coordination group, else 0.",
            [new MetricSample([new("instance", state.InstanceId)], state.Role == "leader" ? 1 : 0)]);
        yield return MetricFamily.Single("kafka_restored_leadership_changes_total", "counter", "Times this daemon gained or lost leadership.", state.Changes);
    }
}

/// <summary>The slots of the units topic a member holds and the units it runs, for /healthz and /metrics.</summary>
public sealed record UnitsHeld(IReadOnlyList<int> Slots, IReadOnlyList<string> Units);

/// <summary>The member records of the deployment as last read, with the reader's clock and the session timeout that marks one gone.</summary>
public sealed record MembersSeen(IReadOnlyList<MemberRecord> Records, DateTimeOffset Now, TimeSpan SessionTimeout);
