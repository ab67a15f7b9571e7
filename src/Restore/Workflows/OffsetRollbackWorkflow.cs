using KafkaRestored.Restore.Offsets;
using KafkaRestored.Restore.Resources;
using KafkaRestored.Restore.Secrets;

namespace KafkaRestored.Restore.Workflows;

/// <summary>One KafkaOffsetRollback (SPEC 3.2): the daemon's runner and <c>offsets rollback -f</c> both run it.</summary>
public static class OffsetRollbackWorkflow
{
    /// <summary>Takes a snapshot into <paramref name="snapshots"/> (operation snapshot), or re-commits one and verifies by reading back.</summary>
    public static Task<OffsetWorkflowResult> RunAsync(KafkaOffsetRollback rollback, SecretStore secrets, IOffsetSnapshotStore snapshots, TimeProvider time,
        CancellationToken ct) => OffsetWorkflowResult.CatchAsync(async () =>
        {
            var result = await new KafkaOffsetRollbackExecutor(secrets, snapshots, time).ExecuteAsync(rollback, ct);
            var (reason, message) = OffsetStatusMapping.Ready(result);
            return new OffsetWorkflowResult(OffsetStatusMapping.ToStatus(result), reason, message,
                result.Succeeded ? null : OffsetStatusMapping.Failure(result), result.Notes);
        });
}
