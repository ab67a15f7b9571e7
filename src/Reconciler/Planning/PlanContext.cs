using KafkaRestored.Reconciler.State;
using KafkaRestored.Restore.Resources.Model;

namespace KafkaRestored.Reconciler.Planning;

/// <summary>Facts about the moment of planning that are not in Git or the store.</summary>
/// <param name="Now">Current time (retry due times, TTL).</param>
/// <param name="MaxConcurrent">maxConcurrentRestores.</param>
/// <param name="InFlight">Resources executing in this process right now.</param>
public sealed record PlanContext(DateTimeOffset Now, int MaxConcurrent, IReadOnlySet<ResourceId> InFlight);
