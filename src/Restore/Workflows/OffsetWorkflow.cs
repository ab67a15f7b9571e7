using KafkaRestored.Restore.Offsets;
using KafkaRestored.Restore.Resources.Model;
using KafkaRestored.Restore.Secrets;

namespace KafkaRestored.Restore.Workflows;

/// <summary>
/// One KafkaOffsetReset (SPEC 3.3) or KafkaOffsetRollback (SPEC 3.2): the daemon's runners and
/// <c>offsets reset|rollback -f</c> all run it, so a status reads the same whichever ran it.
/// </summary>
public static class OffsetWorkflow
{
    /// <summary>Snapshots first when snapshotBeforeReset is on (into <paramref name="snapshots"/>), resets each group and reads back.</summary>
    public static async Task<OffsetWorkflowResult> ResetAsync(KafkaOffsetReset reset, SecretStore secrets, IOffsetSnapshotStore snapshots,
        TimeProvider time, CancellationToken ct)
    {
        using var atWork = ResourcesAtWork.Enter(reset.Id);
        return await OffsetWorkflowResult.CatchAsync(async () => OffsetWorkflowResult.Of(
            await new KafkaOffsetResetExecutor(secrets, snapshots, time).ExecuteAsync(reset.Spec, reset.Id, ct)));
    }

    /// <summary>Takes a snapshot into <paramref name="snapshots"/> (operation snapshot), or re-commits one and verifies by reading back.</summary>
    public static async Task<OffsetWorkflowResult> RollbackAsync(KafkaOffsetRollback rollback, SecretStore secrets, IOffsetSnapshotStore snapshots,
        TimeProvider time, CancellationToken ct)
    {
        using var atWork = ResourcesAtWork.Enter(rollback.Id);
        return await OffsetWorkflowResult.CatchAsync(async () => OffsetWorkflowResult.Of(
            await new KafkaOffsetRollbackExecutor(secrets, snapshots, time).ExecuteAsync(rollback.Spec, rollback.Id, ct)));
    }
}
