using KafkaRestored.Restore.Failures;
using KafkaRestored.Restore.Offsets;
using KafkaRestored.Restore.Resources.Status;

namespace KafkaRestored.Restore.Workflows;

/// <summary>
/// What one run of <see cref="OffsetWorkflow"/> did:
/// the kind-specific status, the Ready reason and message, why it failed, and notes.
/// </summary>
/// <param name="Details">The kind-specific status; null when the run could not start (<paramref name="Failure"/> says why).</param>
/// <param name="Reason">Ready reason, as written to status.</param>
/// <param name="Message">Ready message.</param>
/// <param name="Failure">Why the run failed, with its retryability; null when it succeeded.</param>
/// <param name="Notes">Things worth telling that are not failures.</param>
public sealed record OffsetWorkflowResult(ResourceStatus? Details, string Reason, string Message, FailureReason? Failure, IReadOnlyList<string> Notes)
{
    /// <summary>True when every group was reset, rolled back or snapshotted.</summary>
    public bool Succeeded => Failure is null;

    /// <summary>A reset's result as status (the mapping <see cref="OffsetStatusMapping"/> gives the daemon and the CLI alike).</summary>
    internal static OffsetWorkflowResult Of(OffsetResetResult result)
    {
        var (reason, message) = OffsetStatusMapping.Ready(result);
        return new(OffsetStatusMapping.ToStatus(result), reason, message, result.Succeeded ? null : OffsetStatusMapping.Failure(result), result.Notes);
    }

    /// <summary>A rollback's or snapshot's result as status.</summary>
    internal static OffsetWorkflowResult Of(OffsetRollbackResult result)
    {
        var (reason, message) = OffsetStatusMapping.Ready(result);
        return new(OffsetStatusMapping.ToStatus(result), reason, message, result.Succeeded ? null : OffsetStatusMapping.Failure(result), result.Notes);
    }

    /// <summary>Runs <paramref name="run"/>; an error that stops it before any group is done becomes a failed run without details.</summary>
    internal static async Task<OffsetWorkflowResult> CatchAsync(Func<Task<OffsetWorkflowResult>> run)
    {
        try
        {
            return await run();
        }
        catch (KafkaRestoredException e)
        {
            return new OffsetWorkflowResult(null, e.Reason.Name, e.Message, e.Reason, []);
        }
    }
}
