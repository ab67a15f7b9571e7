using KafkaRestored.Daemon.Http;
using KafkaRestored.Reconciler.Coordination;

namespace KafkaRestored.Daemon.Hosting;

/// <summary>Distributed mode's metrics: whether this daemon leads and how often that changed (none in single-instance mode).</summary>
public static class LeadershipMetrics
{
    /// <summary>The families for <paramref name="state"/> and the <paramref name="units"/> held here; empty when distributed mode is off.</summary>
    public static IEnumerable<MetricFamily> Collect(LeadershipState? state, UnitsHeld? units = null)
    {
        if (state is null) yield break;
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
