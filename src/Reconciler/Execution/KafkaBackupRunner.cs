using KafkaRestored.Restore.Resources.Model;
using KafkaRestored.Restore.Resources.Status;
using KafkaRestored.Restore.Workflows;
using Microsoft.Extensions.Logging;

namespace KafkaRestored.Reconciler.Execution;

/// <summary>
/// Runs a KafkaBackup's scheduled run through <see cref="KafkaBackupWorkflow"/>: the slot recorded when the run started
/// (so a retry or a resume after a daemon restart writes the same backup id), the backup, then retention; every stage is
/// reported as status details, which the publisher commits at once (<see cref="KafkaBackupStatus.IsNewsComparedTo"/>).
/// </summary>
public sealed class KafkaBackupRunner : IResourceRunner
{
    /// <inheritdoc />
    public string Kind => ResourceKinds.KafkaBackup;

    /// <summary>Segment spool folder (default: the system temp folder).</summary>
    public string? TempDirectory { get; init; }

    /// <inheritdoc />
    public async Task<RunOutcome> RunAsync(KafkaResource resource, RunContext context, CancellationToken cancellationToken)
    {
        var backup = (KafkaBackup)resource;
        var previous = context.Status as KafkaBackupStatus ?? new KafkaBackupStatus();
        // Set by the transition that started the run; a record from before it (none today) runs for now.
        var slot = previous.LastScheduleTime ?? context.Time.GetUtcNow();
        var workflow = new KafkaBackupWorkflow(context.Secrets, context.Time) { Report = context.Report, TempDirectory = TempDirectory };
        var run = await workflow.RunAsync(backup, slot, previous, cancellationToken);
        if (run.Failure is { } failure) return RunOutcome.Failed(failure, run.Message, run.Details);
        context.Logger.LogInformation("KafkaBackup {Resource}: {Message}", context.Id, run.Message);
        return RunOutcome.Succeeded(ConditionReasons.BackupCompleted, run.Message, run.Details);
    }
}
