namespace KafkaRestored.Reconciler.Coordination;

/// <summary>
/// A part of a restore the leader spreads over the members (distributed mode): the target partitions of one slot, run by
/// whichever member the coordination group assigns that slot (a partition of the units topic).
/// </summary>
/// <param name="Run">The restore's state key (resource and generation); its checkpoints are in the state topic under it.</param>
/// <param name="Slot">The units topic's partition whose holder runs the unit.</param>
/// <param name="Dispatch">Which spread of the run this unit belongs to: a result counts only for the same dispatch.</param>
/// <param name="Resource">The resource, as "Kind namespace/name", for the log.</param>
/// <param name="Yaml">The resource as the leader validated it (canonical YAML; the member validates it again against its own policy).</param>
/// <param name="Partitions">The target partitions of the unit.</param>
public sealed record RestoreUnit(string Run, int Slot, string Dispatch, string Resource, string Yaml, IReadOnlyList<UnitPartition> Partitions);

/// <summary>One target partition of a <see cref="RestoreUnit"/>.</summary>
public sealed record UnitPartition(string Topic, int Partition);

/// <summary>How a member's unit ended, as it reports it in the state topic for the leader.</summary>
/// <param name="Run">The unit's run.</param>
/// <param name="Slot">The unit's slot.</param>
/// <param name="Dispatch">The dispatch the unit came with.</param>
/// <param name="Instance">The member that ran it.</param>
/// <param name="Outcome">Completed, Failed or Cancelled (withdrawn by the leader).</param>
/// <param name="Reason">The failure reason's status text (Failed), else the outcome.</param>
/// <param name="Message">What happened, in the engine's words.</param>
/// <param name="Partitions">Partitions of the unit.</param>
/// <param name="Records">Records the unit's partitions hold from this restore (verified, when Completed).</param>
public sealed record UnitResult(string Run, int Slot, string Dispatch, string Instance, string Outcome, string? Reason, string? Message, int Partitions, long Records);
