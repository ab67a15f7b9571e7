using KafkaRestored.Reconciler.State;
using KafkaRestored.Restore.Resources.Model;

namespace KafkaRestored.Reconciler.Planning;

/// <summary>Facts about the moment of planning that are not in Git or the store.</summary>
/// <param name="Now">Current time (retry due times, TTL).</param>
/// <param name="MaxConcurrent">maxConcurrentRestores.</param>
/// <param name="InFlight">Resources executing in this process right now.</param>
/// <param name="Windows">The host's sync windows (null: none, every start allowed).</param>
public sealed record PlanContext(DateTimeOffset Now, int MaxConcurrent, IReadOnlySet<ResourceId> InFlight, SyncWindows? Windows = null);
