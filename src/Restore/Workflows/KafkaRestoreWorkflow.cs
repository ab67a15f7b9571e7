using KafkaRestored.Restore.Engine;
using KafkaRestored.Restore.Offsets;
using KafkaRestored.Restore.Resources.Model;
using KafkaRestored.Restore.Resources.Status;

namespace KafkaRestored.Restore.Workflows;

/// <summary>
/// One KafkaRestore from start to end: the rollback snapshot before anything is written, the
/// engine, the offset reset after a verified restore. The daemon's runner and <c>restore -f</c>
/// both run it; what only one of them does comes in through the hooks.
/// </summary>
/// <param name="environment">Secrets, checkpoint state and its key, logger, clock, tuning and policy of the run.</param>
/// <param name="snapshots">Where the rollback snapshot is kept.</param>
public sealed class KafkaRestoreWorkflow(RestoreEnvironment environment, IOffsetSnapshotStore snapshots)
{
    /// <summary>Receives the engine's progress (null: none).</summary>
    public IProgress<RestoreProgressUpdate>? Progress { get; init; }

    /// <summary>Runs after the rollback snapshot (its id, null when rollback is off) and before the engine writes anything.</summary>
    public Func<string?, CancellationToken, Task>? BeforeWriting { get; init; }

    /// <summary>Runs when the engine has returned, before the offset reset.</summary>
    public Action<RestoreResult>? Restored { get; init; }

    /// <summary>Chooses the consumer groups to reset after a completed restore; null from it skips the reset. Unset: every group of the spec.</summary>
    public Func<OffsetResetSpec, CancellationToken, Task<IReadOnlyList<string>?>>? SelectResetGroups { get; init; }

    /// <summary>Runs after the offset reset with its status.</summary>
    public Func<OffsetResetStatus?, CancellationToken, Task>? OffsetsReset { get; init; }

    /// <summary>
    /// Runs (or resumes) the restore. A rollback snapshot that cannot be taken stops it before
    /// anything is written (<see cref="KafkaRestoreRun.SnapshotError"/>); the engine's failures are in the result.
    /// </summary>
    public async Task<KafkaRestoreRun> RunAsync(KafkaRestore restore, CancellationToken ct)
    {
        using var atWork = ResourcesAtWork.Enter(restore.Id);
        string? snapshotId;
        try
        {
            // A retry or resume of the same resource finds its own snapshot and keeps it.
            snapshotId = await RestoreOffsets.SnapshotBeforeWritingAsync(restore, snapshots, environment.Secrets, environment.Time, ct);
        }
        catch (KafkaRestoredException e)
        {
            return new KafkaRestoreRun(null, null, null, [], e);
        }
        if (BeforeWriting is not null) await BeforeWriting(snapshotId, ct);
        var result = await RestoreEngine.RunAsync(restore.Spec, restore.Metadata.Namespace, environment, Progress, ct);
        Restored?.Invoke(result);
        var (offsets, notes) = result.Outcome == RestoreOutcome.Completed
            ? await ResetOffsetsAsync(restore, ct)
            : (null, []);
        return new KafkaRestoreRun(result, snapshotId, offsets, notes, null);
    }

    /// <summary>With offsetReset.enabled, resets the chosen groups on the partitions the completed restore touched.</summary>
    private async Task<(OffsetResetStatus? Status, IReadOnlyList<string> Notes)> ResetOffsetsAsync(KafkaRestore restore, CancellationToken ct)
    {
        if (restore.Spec.OffsetReset is not { Enabled: true } reset) return (null, []);
        if (SelectResetGroups is not null)
        {
            if (await SelectResetGroups(reset, ct) is not { } groups) return (null, []);
            restore = restore with { Spec = restore.Spec with { OffsetReset = reset with { ConsumerGroups = new ValueList<string>(groups) } } };
        }
        var (status, notes) = await RestoreOffsets.ResetStatusAfterRestoreAsync(restore,
            environment.State.GetOffsetMaps(environment.RestoreKey), environment.Secrets, ct);
        if (OffsetsReset is not null) await OffsetsReset(status, ct);
        return (status, notes);
    }
}
