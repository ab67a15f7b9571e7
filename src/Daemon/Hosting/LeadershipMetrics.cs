using KafkaRestored.Daemon.Http;
using KafkaRestored.Reconciler.Coordination;

namespace KafkaRestored.Daemon.Hosting;

/// <summary>Distributed mode's metrics: whether this daemon leads and how often that changed (none in single-instance mode).</summary>
public static class LeadershipMetrics
{
    /// <summary>The families for <paramref name="state"/>; empty when distributed mode is off.</summary>
    public static IEnumerable<MetricFamily> Collect(LeadershipState? state)
    {
        if (state is null) yield break;
        yield return new MetricFamily("kafka_restored_leader", "gauge", "1 while this daemon leads its coordination group, else 0.",
            [new MetricSample([new("instance", state.InstanceId)], state.Role == "leader" ? 1 : 0)]);
        yield return MetricFamily.Single("kafka_restored_leadership_changes_total", "counter", "Times this daemon gained or lost leadership.", state.Changes);
    }
}
