using KafkaRestored.Reconciler.Execution;
using KafkaRestored.Reconciler.Planning;
using KafkaRestored.Reconciler.State;
using KafkaRestored.Restore.Failures;
using KafkaRestored.Restore.Resources.Model;
using KafkaRestored.Restore.Resources.Status;
using KafkaRestored.Restore.Resources.Validation;

namespace KafkaRestored.Reconciler.Tests.Execution;

/// <summary>The record transitions on their own: no Git, no store, no Kafka.</summary>
public sealed class RecordTransitionsTests
{
    private static readonly DateTimeOffset T0 = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);
    private static readonly ResourceId Id = new(ResourceKinds.KafkaRestore, "kafka-backup", "r");

    private static DesiredResource Desired(params Diagnostic[] warnings) => new()
    {
        Id = Id,
        Location = new SourceLocation("restores/r.yaml", 1, 1),
        SpecHash = "hash-1",
        Warnings = warnings,
    };

    private static Diagnostic Warning(string code, string message) =>
        new("restores/r.yaml", 14, 3, DiagnosticSeverity.Warning, code, message, Id);

    [Fact]
    public void A_new_generation_names_only_the_warnings_whose_code_is_IgnoredField()
    {
        var ignored = Warning(DiagnosticCodes.IgnoredField, "podTemplate has no meaning outside Kubernetes");
        var unused = Warning(DiagnosticCodes.UnusedField, "IgnoredField: not this one");

        var record = RecordTransitions.NewGeneration(Desired(ignored, unused), null, "abc", T0, ConditionReasons.Pending, "recorded");

        Assert.Equal(1, record.Generation);
        Assert.Equal(ResourcePhase.Pending, record.Phase);
        var condition = Conditions.Find(record.Status.Conditions, ConditionTypes.IgnoredFields)!;
        Assert.Equal(ConditionReasons.PodTemplateIgnored, condition.Reason);
        Assert.Equal("restores/r.yaml:14:3: warning: IgnoredField: podTemplate has no meaning outside Kubernetes", condition.Message);
    }

    [Fact]
    public void A_new_generation_without_ignored_fields_drops_the_condition_the_previous_one_had()
    {
        var first = RecordTransitions.NewGeneration(Desired(Warning(DiagnosticCodes.IgnoredField, "podTemplate")), null, "abc", T0, ConditionReasons.Pending, "recorded");

        var second = RecordTransitions.NewGeneration(Desired(), first, "def", T0.AddMinutes(1), ConditionReasons.Pending, "spec changed");

        Assert.Equal(2, second.Generation);
        Assert.Null(Conditions.Find(second.Status.Conditions, ConditionTypes.IgnoredFields));
    }

    [Fact]
    public void Backoff_doubles_from_the_base_delay_and_stops_at_the_maximum()
    {
        var delays = Enumerable.Range(1, 5).Select(a => RecordTransitions.Backoff(a, TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(60)));

        Assert.Equal([10, 20, 40, 60, 60], delays.Select(d => (int)d.TotalSeconds));
    }

    [Fact]
    public void A_retryable_failure_with_attempts_left_waits_for_the_next_attempt_and_the_last_one_fails()
    {
        var running = RecordTransitions.StartAttempt(RecordTransitions.NewGeneration(Desired(), null, "abc", T0, ConditionReasons.Pending, "recorded") with
        {
            Job = JobSpec.Default with { BackoffLimit = 1 },
        }, PlanActionKind.Start, T0);
        var failed = new RunCompletion(Id, 1, RunOutcome.Failed(FailureReason.ClusterUnreachable, "no broker answered"), null, false, false, false);

        var retry = RecordTransitions.Complete(running, failed, T0, TimeSpan.FromSeconds(10), TimeSpan.FromMinutes(5))!;
        Assert.Equal(ResourcePhase.Running, retry.Phase);
        Assert.Equal(T0.AddSeconds(10), retry.NextAttemptAt);
        Assert.Equal(ConditionReasons.AttemptFailed, Conditions.Find(retry.Status.Conditions, ConditionTypes.Ready)!.Reason);

        var second = RecordTransitions.StartAttempt(retry, PlanActionKind.Retry, T0.AddSeconds(10));
        var final = RecordTransitions.Complete(second, failed, T0.AddSeconds(20), TimeSpan.FromSeconds(10), TimeSpan.FromMinutes(5))!;
        Assert.Equal(ResourcePhase.Failed, final.Phase);
        Assert.Equal(2, final.Attempts);
        Assert.Contains("job.backoffLimit=1 reached", Conditions.Find(final.Status.Conditions, ConditionTypes.Ready)!.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_run_cancelled_by_deletion_changes_nothing_and_one_stopped_by_shutdown_stays_Running()
    {
        var running = RecordTransitions.StartAttempt(RecordTransitions.NewGeneration(Desired(), null, "abc", T0, ConditionReasons.Pending, "recorded"), PlanActionKind.Start, T0);
        var cancelled = RunOutcome.Cancelled("The attempt was cancelled.");

        Assert.Null(RecordTransitions.Complete(running, new RunCompletion(Id, 1, cancelled, null, true, false, false), T0, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(1)));
        var stopped = RecordTransitions.Complete(running, new RunCompletion(Id, 1, cancelled, null, false, false, true), T0, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(1))!;
        Assert.Equal(ResourcePhase.Running, stopped.Phase);
    }
}
