using KafkaRestored.Restore.Offsets;
using KafkaRestored.Restore.Resources.Model;

namespace KafkaRestored.Restore.Tests.Offsets;

/// <summary>Runs an offset executor on a whole resource, as the tests build them: its spec and its identity.</summary>
internal static class ExecutorResourceRuns
{
    public static Task<OffsetRollbackResult> ExecuteAsync(this KafkaOffsetRollbackExecutor executor, KafkaOffsetRollback rollback, CancellationToken ct) =>
        executor.ExecuteAsync(rollback.Spec, rollback.Id, ct);

    public static Task<OffsetResetResult> ExecuteAsync(this KafkaOffsetResetExecutor executor, KafkaOffsetReset reset, CancellationToken ct) =>
        executor.ExecuteAsync(reset.Spec, reset.Id, ct);
}
