using KafkaRestored.Restore.Offsets;
using KafkaRestored.Restore.Resources;
using KafkaRestored.Restore.Secrets;

namespace KafkaRestored.Restore.Workflows;

/// <summary>One KafkaOffsetReset (SPEC 3.3): the daemon's runner and <c>offsets reset -f</c> both run it.</summary>
public static class OffsetResetWorkflow
{
    /// <summary>Snapshots first when snapshotBeforeReset is on (into <paramref name="snapshots"/>), resets each group and reads back.</summary>
    public static Task<OffsetWorkflowResult> RunAsync(KafkaOffsetReset reset, SecretStore secrets, IOffsetSnapshotStore snapshots, TimeProvider time,
        CancellationToken ct) => OffsetWorkflowResult.CatchAsync(async () =>
        {
            var result = await new KafkaOffsetResetExecutor(secrets, snapshots, time).ExecuteAsync(reset, ct);
            // The same mapping for the daemon and the CLI, so a status file reads the same whichever ran it.
            var (reason, message) = OffsetStatusMapping.Ready(result);
            return new OffsetWorkflowResult(OffsetStatusMapping.ToStatus(result), reason, message,
                result.Succeeded ? null : OffsetStatusMapping.Failure(result), result.Notes);
        });
}
