namespace KafkaRestored.Reconciler.Coordination;

/// <summary>
/// Whether this daemon may reconcile (fetch, plan, start work, push status) now: in distributed mode only while it
/// leads its coordination group. Single-instance mode has none (the loop and publisher take null).
/// </summary>
public interface ILeadership
{
    /// <summary>This daemon's name among the members, written as the <c>Instance:</c> trailer of its status commits.</summary>
    string InstanceId { get; }

    /// <summary>
    /// Asks the coordinator whether this daemon still leads: false when it holds no leadership, its last poll is
    /// too long ago, or the coordinator refuses it (an expired member or an old generation). Called before each
    /// cycle and before each push. The Git lease throws <see cref="Git.GitSourceException"/> when it cannot reach the
    /// remote and holds no recent renewal (the loop counts it as a failed fetch).
    /// </summary>
    Task<bool> ConfirmAsync(CancellationToken cancellationToken);

    /// <summary>
    /// Whether this daemon's latest gain of leadership may follow another daemon's, whose committed status it then takes
    /// over (<see cref="LeaderTakeover"/>). Group membership cannot tell, so true unless known otherwise; the Git lease
    /// knows when it was this daemon's own or nobody's, and then this daemon's store stays authoritative (so that
    /// <c>forget</c> still starts a resource over).
    /// </summary>
    bool AcquiredFromAnother => true;
}
